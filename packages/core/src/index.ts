/**
 * The runtime-free engine of omnisock: the types, addresses, options, errors, capabilities,
 * framing codecs and monitor that every adapter shares, and the `Socket`, `Server` and
 * `DatagramSocket` classes it hands out.
 *
 * Users import an adapter (`omnisock`, or `@omnisock/node`, `@omnisock/bun`,
 * `@omnisock/deno`), which re-exports all of this next to `connect`, `listen`, `bind`,
 * `lookup` and `probe`. Driver authors import `@omnisock/core/driver`.
 *
 * @module @omnisock/core
 */
export type {
  Address,
  Family,
  HostAddress,
  InetAddress,
  SocketAddress,
  UnixAddress,
} from "./address.js";
export type { Omnisock } from "./api.js";
export { type Capabilities, capabilityNames } from "./capabilities.js";
export {
  type Datagram,
  type DatagramHandler,
  type DatagramTarget,
  DatagramSocket,
} from "./datagram.js";
export { SocketError, type SocketErrorCode } from "./error.js";
export * from "./framing.js";
export {
  type Monitor,
  type MonitorEntry,
  type MonitorEvent,
  type MonitorEventType,
  type MonitorListener,
  type MonitoredKind,
  type MonitoredRole,
} from "./monitor.js";
export type {
  BindOptions,
  BroadcastOptions,
  ConnectOptions,
  ConnectTarget,
  JoinMulticastOptions,
  ListenOptions,
  LookupOptions,
  ProbeOptions,
  ReadOptions,
  ServerCloseOptions,
  StreamOptions,
  TlsClientOptions,
  TlsServerOptions,
} from "./options.js";
export { formatAddress, parseAddress } from "./parse-address.js";
export { Server } from "./server.js";
export { type ChunkHandler, Socket } from "./socket.js";
export type * from "./types.js";
