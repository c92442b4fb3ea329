import type { InetAddress, SocketAddress } from "./address.js";
import type { Capabilities } from "./capabilities.js";
import type { Monitor } from "./monitor.js";
import type {
  BindOptions,
  ConnectOptions,
  ConnectTarget,
  JoinMulticastOptions,
  ListenOptions,
  LookupOptions,
  ProbeOptions,
  ServerCloseOptions,
} from "./options.js";

/**
 * Counters, the same on every runtime. For a stream a "packet" is one write handed to the
 * kernel, or one chunk read from it; for UDP it is one datagram.
 */
export interface SocketStats {
  readonly bytesSent: number;
  readonly bytesReceived: number;
  readonly packetsSent: number;
  readonly packetsReceived: number;
  /** `Date.now()` when the socket opened. */
  readonly openedAt: number;
  /** `Date.now()` when it closed, `undefined` while open. */
  readonly closedAt: number | undefined;
}

export interface DatagramStats extends SocketStats {
  /** Datagrams dropped because the receive queue was full (`receiveQueueSize`). */
  readonly packetsDropped: number;
}

export interface ServerStats {
  /** Connections accepted (and handed out or refused) since listening began. */
  readonly accepted: number;
  /** Connections closed at once because of `maxConnections`. */
  readonly refused: number;
  readonly openedAt: number;
  readonly closedAt: number | undefined;
}

export type SocketState = "connecting" | "open" | "readClosed" | "writeClosed" | "closed";

export type ProbeResult = { ok: true; rtt: number } | { ok: false; code: string };

/** What every adapter (and `omnisock`) exports, with the same names and behaviour. */
export interface Omnisock {
  readonly runtime: "node" | "bun" | "deno";
  readonly capabilities: Capabilities;
  readonly monitor: Monitor;
  connect(target: ConnectTarget, options?: ConnectOptions): Promise<import("./socket.js").Socket>;
  listen(
    options: ListenOptions,
    onConnection?: (socket: import("./socket.js").Socket) => void,
  ): Promise<import("./server.js").Server>;
  bind(options?: BindOptions): Promise<import("./datagram.js").DatagramSocket>;
  lookup(hostname: string, options?: LookupOptions): Promise<InetAddress[]>;
  probe(target: ConnectTarget, options?: ProbeOptions): Promise<ProbeResult>;
}

export type { SocketAddress, JoinMulticastOptions, ServerCloseOptions };
