import type { Address, HostAddress, InetAddress, SocketAddress } from "./address.js";
import type { Capabilities, Platform } from "./capabilities.js";
import type { SocketError } from "./error.js";
import type { TlsInfo } from "./types.js";
import type {
  NormalizedBindOptions,
  NormalizedConnectOptions,
  NormalizedListenOptions,
  NormalizedTlsClientOptions,
  NormalizedTlsServerOptions,
} from "./options.js";

/**
 * How long a driver's `close()` of a TLS stream waits for its close_notify (and what the TLS
 * layer still holds of the last write) to reach the kernel before it closes the connection
 * without them: a peer that reads nothing (after an idle timeout or an abort) must not keep a
 * connection open. The same bound as rustls-tokio-stream's own lingering close.
 */
export const tlsCloseLimit = 1_000;

/**
 * The contract between core's engine and a runtime: the smallest set of raw operations.
 * Everything a user can observe — queueing, backpressure, state, counters, timeouts,
 * signals, iteration, streams, the monitor — is built once in core on top of it.
 *
 * Rules every driver keeps:
 * - Every error it reports has been through its one `toSocketError`.
 * - It never throws from a callback into the engine and never lets a rejection escape.
 * - A chunk it hands to `sink[sinkData]` belongs to the engine: it is not reused or overwritten,
 *   unless `sink[sinkBorrows]` was true just before the call (then only once the call returns).
 * - It sets every default itself (see `NormalizedConnectOptions`): none is left to the runtime.
 */
export interface Driver extends Platform {
  /** The runtime it drives. */
  readonly runtime: "node" | "bun" | "deno";
  /** What it can honour, frozen; the engine refuses the rest with `ENOTSUP` before calling it. */
  readonly capabilities: Capabilities;
  /**
   * Open a stream to one address: a Unix path, or a TCP address whose `hostname` is an IP
   * literal (core resolves names through `lookup` and races the addresses, Happy Eyeballs
   * style). Resolves once connected. When `signal` aborts, the attempt is given up and the
   * promise rejects (core replaces the error with `ETIMEDOUT` or `EABORTED`), and a
   * connection that arrives afterwards is closed; without a signal nothing gives it up.
   * No event reaches a sink before `StreamHandle.start`.
   */
  connect(
    options: NormalizedConnectOptions,
    signal: AbortSignal | undefined,
  ): Promise<StreamHandle>;
  /** Start listening; accepted connections go to `sink.connection`. */
  listen(options: NormalizedListenOptions, sink: ServerSink): Promise<ServerHandle>;
  /** Bind a UDP socket; datagrams go to `sink.message` as they arrive. */
  bind(options: NormalizedBindOptions, sink: DatagramSink): Promise<DatagramHandle>;
  /** Resolve a name through the system resolver (getaddrinfo, /etc/hosts included). */
  lookup(hostname: string, family: 4 | 6 | undefined): Promise<InetAddress[]>;
}

// The names of a StreamSink's methods are symbols, so that core's Socket is the sink itself
// (no object between driver and socket on each connection) and its public API has no such
// names. Registered (`Symbol.for`), so that they hold across two installed copies of core.
/** The name of {@link StreamSink}'s method for bytes read. */
export const sinkData: unique symbol = Symbol.for("omnisock.sink.data");
/** The name of {@link StreamSink}'s method for the peer's FIN. */
export const sinkEnd: unique symbol = Symbol.for("omnisock.sink.end");
/** The name of {@link StreamSink}'s method for a drained write. */
export const sinkDrain: unique symbol = Symbol.for("omnisock.sink.drain");
/** The name of {@link StreamSink}'s method for the connection's end. */
export const sinkClose: unique symbol = Symbol.for("omnisock.sink.close");
/** The name of {@link StreamSink}'s property that lends the next chunk. */
export const sinkBorrows: unique symbol = Symbol.for("omnisock.sink.borrows");

/** What the engine answers to a stream driver's events. */
export interface StreamSink {
  /** Bytes read. Called only while the handle is not paused. */
  [sinkData](chunk: Uint8Array): void;
  /** The peer half-closed (FIN). */
  [sinkEnd](): void;
  /** After a short `write` or while `busy`: everything taken is now in the kernel and more can be taken. */
  [sinkDrain](): void;
  /** The connection is gone, with the error if it failed. Called exactly once, last. */
  [sinkClose](error?: SocketError): void;
  /**
   * True while a chunk handed to `sinkData` now would be done with once the call returns (a
   * handler that only borrows it is waiting, and nothing is queued before it): a driver may
   * then read the next bytes into the same memory. Absent means false.
   */
  readonly [sinkBorrows]?: boolean;
}

/** A sink that ignores every event: for a handle whose events are of no interest. */
export const ignoreEvents: StreamSink = Object.freeze({
  [sinkData]() {},
  [sinkEnd]() {},
  [sinkDrain]() {},
  [sinkClose]() {},
});

/** One connected stream (TCP or Unix), either connected or accepted. */
export interface StreamHandle {
  /** This end's address (`inetAddress` / `unixAddress` build it). */
  readonly localAddress: SocketAddress;
  /** The peer's address. */
  readonly remoteAddress: SocketAddress;
  /** Begin delivering events to `sink`; reading starts paused=false. */
  start(sink: StreamSink): void;
  /**
   * Hand bytes towards the kernel. Returns how many were taken; those are the driver's from
   * now on. Fewer than `data.length` means "full": `sink[sinkDrain]` follows when it can take more.
   */
  write(data: Uint8Array): number;
  /** What TLS negotiated, for a TLS stream (its handshake is over before the handle is handed out). */
  readonly tls?: TlsInfo;
  /** True while bytes already taken have not all reached the kernel; `sink[sinkDrain]` follows. */
  readonly busy: boolean;
  /**
   * `write` hands what it takes straight to the kernel and keeps no reference to `data`
   * (Bun): the engine may then pass the caller's own bytes instead of a copy.
   */
  readonly keepsNothing?: boolean;
  /**
   * Memory for the engine's write buffer, in the form `write` takes fastest (Node: a Buffer,
   * which node:net would otherwise make of every Uint8Array written). `new Uint8Array` if absent.
   */
  allocate?(size: number): Uint8Array;
  /**
   * Upgrade this plain client stream to TLS (STARTTLS): resolves with the TLS stream, whose
   * handshake is over and peer verified. From then on this handle hands its sink nothing
   * more, and closing the TLS one closes the connection. Core has paused reading and checked
   * that nothing unread is buffered. `close()` meanwhile (a timeout, an abort) gives the
   * upgrade up: the promise rejects. Absent where the runtime cannot (`tlsUpgrade`) or on a
   * stream it cannot upgrade.
   */
  startTls?(options: NormalizedTlsClientOptions): Promise<StreamHandle>;
  /**
   * The same for an accepted stream, as the TLS server (a server's STARTTLS): resolves once the
   * handshake is over and, with `requestCert`, the client's certificate verified; a failed
   * handshake rejects with the driver's `SocketError` (ETLS, or ECONNRESET where the runtime
   * only sees the connection go). Use the same option mapping as `listen`'s TLS. Absent where
   * the runtime cannot (`tlsServerUpgrade`).
   */
  startTlsServer?(options: NormalizedTlsServerOptions): Promise<StreamHandle>;
  /**
   * A read once issued cannot be taken back (Deno's reads are promises): `pause()` only holds
   * the next one, and `startTls` cannot take the connection while one is pending. The engine
   * then reads on demand: after every chunk it pauses the handle, and resumes it only while a
   * reader waits, so that no read is pending once the consumer has stopped reading. Until the
   * first chunk one read is pending, so that a peer's FIN or RST is noticed on a socket
   * nobody reads (`capabilities.tlsUpgradeBeforeData` is then false). Once the socket has
   * sent its FIN (no upgrade can follow) the handle reads as any other.
   */
  readonly readsOnDemand?: boolean;
  /** Stop reading; the kernel's buffer then pushes back on the peer. */
  pause(): void;
  /** Start reading again after `pause()`. */
  resume(): void;
  /** Send FIN once everything taken has been written. */
  shutdown(): void;
  /** Release the connection (FIN if not sent yet); `sink[sinkClose]()` follows. */
  close(): void;
  /** Abort with RST where the runtime can; `sink[sinkClose]()` follows. */
  reset(): void;
  /** TCP_NODELAY; a Unix stream ignores it. */
  setNoDelay(enable: boolean): void;
  /** SO_KEEPALIVE, with the first probe after `delayMs` (the system's delay when `undefined`). */
  setKeepAlive(enable: boolean, delayMs: number | undefined): void;
  /** Keep the process alive while the connection is open. */
  ref(): void;
  /** Let the process exit while the connection is open. */
  unref(): void;
}

/** What the engine answers to a listener's events. */
export interface ServerSink {
  /** An accepted connection (for TLS, once its handshake is over), not yet started. */
  connection(handle: StreamHandle): void;
  /** The listener failed after it was up (rare: EMFILE on accept and the like). */
  error(error: SocketError): void;
  /**
   * A connection the listener dropped before handing it out: a failed TLS handshake (a
   * plaintext peer, a refused client certificate). The peer's fault, not the server's.
   */
  rejected(error: SocketError): void;
}

/** One listener. */
export interface ServerHandle {
  /** The address it listens on, with the port the system picked. */
  readonly address: SocketAddress;
  /** Stop accepting where the runtime can (connections then wait in the kernel's backlog). Optional. */
  pause?(): void;
  /** Accept again after `pause()`. */
  resume?(): void;
  /** Stop listening; existing connections are untouched. */
  close(): Promise<void>;
  /** Keep the process alive while listening. */
  ref(): void;
  /** Let the process exit while listening. */
  unref(): void;
}

/** What the engine answers to a datagram socket's events. */
export interface DatagramSink {
  /**
   * One datagram and its sender, as the runtime reports it (`hostname` an IP literal). Core
   * builds the `remote` address, so that a run of datagrams from one sender shares one.
   */
  message(data: Uint8Array, hostname: string, port: number): void;
  /** The kernel has taken a datagram of `bytes` bytes: called before its `send` settles. */
  sent(bytes: number): void;
  /** A failure nobody awaits (an ICMP error on a connected socket): the monitor reports it. */
  error(error: SocketError): void;
}

/** One bound UDP socket. */
export interface DatagramHandle {
  /** The address it is bound to, with the port the system picked. */
  readonly localAddress: InetAddress;
  /**
   * Send one datagram (`target` is omitted when connected) and call `sink.sent` once the kernel
   * has it. Returns `undefined` when that happened before returning, else a promise that
   * resolves after: a send that goes out at once then costs no promise, and one that waits no
   * more than its own. A failure is thrown or rejected, and is not `sent`.
   */
  send(data: Uint8Array, target: HostAddress | undefined): Promise<void> | undefined;
  /**
   * Connect to `target` (a name is resolved), and from then on deliver only its datagrams;
   * resolves with the peer's resolved address. Where the runtime cannot, the engine filters.
   */
  connect(target: HostAddress): Promise<InetAddress>;
  /** Stop reading, where the runtime can, while the engine's receive queue is full. Optional. */
  pause?(): void;
  /** Read again after `pause()`. */
  resume?(): void;
  /** SO_BROADCAST. */
  setBroadcast(enable: boolean): void;
  /** IP_TTL. */
  setTTL(ttl: number): void;
  /** IP_MULTICAST_TTL. */
  setMulticastTTL(ttl: number): void;
  /** IP_MULTICAST_LOOP. */
  setMulticastLoopback(enable: boolean): void;
  /** IP_MULTICAST_IF, by the interface's IP address. */
  setMulticastInterface(address: string): void;
  /** Join (or leave) a group; a failure is thrown or rejected (Deno joins asynchronously). */
  addMembership(
    group: string,
    source: string | undefined,
    iface: string | undefined,
  ): void | Promise<void>;
  /** Leave a group joined with the same arguments; a failure is thrown or rejected. */
  dropMembership(
    group: string,
    source: string | undefined,
    iface: string | undefined,
  ): void | Promise<void>;
  /** Release the socket; resolves once the runtime has. */
  close(): Promise<void>;
  /** Keep the process alive while the socket is open. */
  ref(): void;
  /** Let the process exit while the socket is open. */
  unref(): void;
}

export type { Address };
