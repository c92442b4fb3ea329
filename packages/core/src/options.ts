import type { Address, Family, SocketAddress, UnixAddress } from "./address.js";
import type { Socket } from "./socket.js";

/**
 * Where to connect: `"host:port"`, `"[v6]:port"`, `"tcp://host:port"`, `"unix:///path"`,
 * `"unix:@abstract"`, or the same as an object. An address the library reported, such as
 * `server.address`, is accepted as it is (a UDP one is a TypeError).
 */
export type ConnectTarget =
  | string
  | {
      readonly hostname: string;
      readonly port: number;
      readonly transport?: "tcp";
      /** Must agree with `hostname` when given: it is there so that reported addresses fit. */
      readonly family?: Family;
    }
  | { readonly path: string; readonly transport?: "unix" }
  | SocketAddress;

/** Options every stream socket takes, whether it connects or is accepted. */
export interface StreamOptions {
  /**
   * TCP_NODELAY: send small writes at once instead of waiting for an ACK (Nagle).
   * omnisock coalesces the writes of one tick itself, so Nagle only adds latency.
   * @default true
   * **Note:** Node and the WICG Direct Sockets standard default to `false`.
   */
  noDelay?: boolean;
  /**
   * Turn TCP keepalive on, first probe after this many milliseconds of silence.
   * @default undefined (keepalive off)
   */
  keepAliveDelay?: number;
  /**
   * Bytes queued for sending (and bytes read but not yet consumed) at which `write()`
   * returns `false` (and reading pauses).
   * @default 65536 — the same as undici and Node 22's streams.
   */
  highWaterMark?: number;
  /**
   * Keep the socket writable after the peer has half-closed. When `false`, the peer's FIN
   * ends the socket once everything queued has been sent: when the reader reaches the FIN
   * (its loop ends), so that a reply to the last request still goes out — or at once if
   * nothing was ever read and nothing is unread.
   * @default false — as in node:net and the WinterTC Sockets API.
   */
  allowHalfOpen?: boolean;
  /**
   * Close the socket with `ETIMEDOUT` after this many milliseconds without a byte sent or
   * received. `0` turns it off.
   * @default 0
   * **Note:** unlike node:net's `setTimeout`, which only emits an event, the socket is closed.
   */
  idleTimeout?: number;
}

export interface ConnectOptions extends StreamOptions {
  /**
   * Give up connecting after this many milliseconds, with `ETIMEDOUT`; the TLS handshake
   * counts, and so does `startTls()`'s (timed from its own start). `0` waits as long as the
   * OS does. @default 0
   */
  timeout?: number;
  /**
   * Aborting during connect (or during `startTls()`) rejects with `EABORTED`; afterwards it
   * closes the socket.
   */
  signal?: AbortSignal;
  /** The local IP address to connect from. */
  localAddress?: string;
  /** Resolve the host name to this family only. @default undefined (either) */
  family?: 4 | 6;
  /** SO_SNDBUF in bytes. @default the system's */
  sendBufferSize?: number;
  /** SO_RCVBUF in bytes. @default the system's */
  receiveBufferSize?: number;
  /**
   * TLS over the connection, through the runtime's own TLS. `true` verifies the server
   * against the runtime's root certificates and the target's host name.
   * @default undefined (plain TCP)
   */
  tls?: boolean | TlsClientOptions;
}

/** A client's TLS: what it sends and how it verifies the server. */
export interface TlsClientOptions {
  /**
   * The server name sent (SNI) and verified in the server's certificate.
   * @default the target's host name, when it is a name and not an IP literal
   */
  servername?: string;
  /** Certificate authorities to trust, PEM. @default the runtime's root certificates */
  ca?: string | readonly string[];
  /** A client certificate (PEM), for servers that ask for one; needs `key`. */
  cert?: string;
  /** The client certificate's private key, PEM. */
  key?: string;
  /** ALPN protocols to offer, in order of preference, such as `["h2", "http/1.1"]`. */
  alpnProtocols?: readonly string[];
  /**
   * Verify the server's certificate and name. `false` accepts any server: only for tests.
   * @default true
   * **Note:** Deno cannot turn verification off per connection: `false` is `ENOTSUP` there
   * (`capabilities.tlsNoVerify`).
   */
  rejectUnauthorized?: boolean;
}

/** A server's TLS. */
export interface TlsServerOptions {
  /** The server's certificate chain, PEM. */
  cert: string;
  /** Its private key, PEM. */
  key: string;
  /** Certificate authorities that client certificates are verified against, PEM. */
  ca?: string | readonly string[];
  /**
   * Ask every client for a certificate and refuse the handshake unless it is valid and
   * signed by `ca`. @default false
   */
  requestCert?: boolean;
  /** ALPN protocols to accept, in order of preference. */
  alpnProtocols?: readonly string[];
}

export interface ListenOptions extends StreamOptions {
  /**
   * The address to listen on; `""` means every IPv4 interface.
   * @default "0.0.0.0"
   * **Note:** node:net listens on `::` when no host is given; Bun and Deno on `0.0.0.0`.
   */
  hostname?: string;
  /** @default 0 (the system picks one; read it from `server.address`) */
  port?: number;
  /** A Unix socket path, or `@name` for a Linux abstract name. Excludes `hostname`/`port`. */
  path?: string;
  /** An inherited listening socket's file descriptor (systemd socket activation hands over fd 3). */
  fd?: number;
  /** Length of the kernel's queue of connections not yet accepted. @default 511 (as node:net) */
  backlog?: number;
  /** SO_REUSEPORT: several listeners share the port and the kernel balances them. @default false */
  reusePort?: boolean;
  /** IPV6_V6ONLY on a `::` listener. @default false */
  ipv6Only?: boolean;
  /**
   * `false` lets Node's cluster workers share this listener. @default true
   */
  exclusive?: boolean;
  /** Connections beyond this many are closed as soon as they are accepted. @default Infinity */
  maxConnections?: number;
  /** Aborting closes the server (forcefully). */
  signal?: AbortSignal;
  /** Accept TLS connections only, through the runtime's own TLS. @default undefined (plain TCP) */
  tls?: TlsServerOptions;
}

export interface BindOptions {
  /** @default "0.0.0.0", or "::" when `family` is 6 */
  hostname?: string;
  /** @default 0 (the system picks one) */
  port?: number;
  /** The IP family of the socket when `hostname` does not tell. @default 4 */
  family?: 4 | 6;
  /** SO_REUSEADDR, so that several sockets can join one multicast group on one port. @default false */
  reuseAddr?: boolean;
  /** SO_REUSEPORT. @default false */
  reusePort?: boolean;
  /** IPV6_V6ONLY on a `::` socket. @default false */
  ipv6Only?: boolean;
  /** SO_BROADCAST. @default false */
  broadcast?: boolean;
  /** IP_TTL for unicast datagrams. @default the system's (64 on Linux) */
  ttl?: number;
  /** IP_MULTICAST_TTL. @default 1 (as the WICG Direct Sockets standard) */
  multicastTimeToLive?: number;
  /** IP_MULTICAST_LOOP. @default true */
  multicastLoopback?: boolean;
  /** SO_RCVBUF in bytes. @default the system's */
  receiveBufferSize?: number;
  /** SO_SNDBUF in bytes. @default the system's */
  sendBufferSize?: number;
  /**
   * Datagrams received but not yet consumed; beyond this the newest are dropped and counted
   * in `stats.packetsDropped`, as the kernel would drop them.
   * @default 1024
   */
  receiveQueueSize?: number;
  /** Aborting closes the socket. */
  signal?: AbortSignal;
}

export interface LookupOptions {
  /** @default undefined (both) */
  family?: 4 | 6;
  /** Every address instead of the first. @default false */
  all?: boolean;
}

export interface ProbeOptions {
  /** @default 5000 */
  timeout?: number;
}

export interface JoinMulticastOptions {
  /** The local interface's IP address to join on. @default the system's choice */
  interface?: string;
  /** Source-specific multicast: receive the group's datagrams only from this source. */
  source?: string;
}

/** Server shutdown: `graceful` waits for connections to close themselves; otherwise they are closed now. */
export interface ServerCloseOptions {
  /** @default true */
  graceful?: boolean;
}

export interface BroadcastOptions {
  /** A socket (or sockets) not to send to, usually the sender. */
  except?: Socket | Iterable<Socket>;
}

// ---- normalized forms, what the engine hands a driver ----

export interface NormalizedStreamOptions {
  readonly noDelay: boolean;
  readonly keepAliveDelay: number | undefined;
  readonly highWaterMark: number;
  readonly allowHalfOpen: boolean;
  readonly idleTimeout: number;
}

export interface NormalizedConnectOptions extends NormalizedStreamOptions {
  readonly target: Address;
  readonly timeout: number;
  readonly signal: AbortSignal | undefined;
  readonly localAddress: string | undefined;
  readonly family: 4 | 6 | undefined;
  readonly sendBufferSize: number | undefined;
  readonly receiveBufferSize: number | undefined;
  readonly tls: NormalizedTlsClientOptions | undefined;
}

export interface NormalizedTlsClientOptions {
  /** Sent as SNI; `undefined` for an IP literal target without `servername`. */
  readonly servername: string | undefined;
  /** The name (or IP literal) the server's certificate must carry. */
  readonly verifyName: string;
  /** `undefined`: the runtime's roots. */
  readonly ca: readonly string[] | undefined;
  readonly cert: string | undefined;
  readonly key: string | undefined;
  readonly alpnProtocols: readonly string[];
  readonly rejectUnauthorized: boolean;
}

export interface NormalizedTlsServerOptions {
  readonly cert: string;
  readonly key: string;
  readonly ca: readonly string[] | undefined;
  readonly requestCert: boolean;
  readonly alpnProtocols: readonly string[];
}

export interface NormalizedListenOptions extends NormalizedStreamOptions {
  /** Exactly one of these three is set. */
  readonly inet: { readonly hostname: string; readonly port: number } | undefined;
  readonly unix: UnixAddress | undefined;
  readonly fd: number | undefined;
  readonly backlog: number;
  readonly reusePort: boolean;
  readonly ipv6Only: boolean;
  readonly exclusive: boolean;
  readonly maxConnections: number;
  readonly signal: AbortSignal | undefined;
  readonly tls: NormalizedTlsServerOptions | undefined;
}

export interface NormalizedBindOptions {
  readonly hostname: string;
  readonly port: number;
  readonly family: 4 | 6;
  readonly reuseAddr: boolean;
  readonly reusePort: boolean;
  readonly ipv6Only: boolean;
  readonly broadcast: boolean;
  readonly ttl: number | undefined;
  readonly multicastTimeToLive: number;
  readonly multicastLoopback: boolean;
  readonly receiveBufferSize: number | undefined;
  readonly sendBufferSize: number | undefined;
  readonly receiveQueueSize: number;
  readonly signal: AbortSignal | undefined;
}
