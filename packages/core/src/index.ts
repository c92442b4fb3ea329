export type {
  Address,
  Family,
  HostAddress,
  InetAddress,
  SocketAddress,
  UnixAddress,
} from "./address.js";
export { inetAddress, kernelPath, unixAddress } from "./address.js";
export { createApi, type Omnisock } from "./api.js";
export { type Capabilities, capabilityNames } from "./capabilities.js";
export { type Datagram, type DatagramTarget, DatagramSocket } from "./datagram.js";
export type * from "./driver.js";
export {
  type ErrorContext,
  type NativeDetail,
  nativeCode,
  notSupported,
  SocketError,
  type SocketErrorCode,
  type SocketErrorOptions,
  systemError,
  systemErrorCode,
} from "./error.js";
export * from "./framing.js";
export { answeredAddresses } from "./lookup.js";
export {
  Monitor,
  type MonitorEntry,
  type MonitorEvent,
  type MonitorEventType,
  type MonitorListener,
  type MonitoredKind,
  type MonitoredRole,
} from "./monitor.js";
export type * from "./options.js";
export { formatAddress, ipFamily, parseAddress } from "./parse-address.js";
export { Server } from "./server.js";
export { Socket } from "./socket.js";
export type * from "./types.js";
export { describeValue } from "./check.js";
