import type { Address, Family, SocketAddress, UnixAddress } from "./address.js";
import type { Socket } from "./socket.js";

/**
 * Where to connect: `"host:port"`, `"[v6]:port"`, `"tcp://host:port"`, `"unix:///path"`,
 * `"unix:@abstract"` (see {@link parseAddress}), or the same as an object. An address the
 * library reported, such as `server.address`, is accepted as it is (a UDP one is a
 * TypeError: datagrams are {@link Omnisock.bind}'s).
 */
export type ConnectTarget =
  | string
  | {
      /** A host name to resolve, or an IP address (without brackets). */
      readonly hostname: string;
      /** From 1 to 65535. */
      readonly port: number;
      /**
       * Only `"tcp"`, when given.
       * @default "tcp"
       */
      readonly transport?: "tcp";
      /**
       * Must agree with `hostname` when given: it is there so that reported addresses fit.
       * @default undefined (read from `hostname`)
       */
      readonly family?: Family;
    }
  | {
      /** A Unix socket path, or `@name` for a Linux abstract name. */
      readonly path: string;
      /**
       * Only `"unix"`, when given.
       * @default "unix"
       */
      readonly transport?: "unix";
    }
  | SocketAddress;

/**
 * Options every stream socket takes, whether it connects ({@link ConnectOptions}) or is
 * accepted (its server's {@link ListenOptions}).
 */
export interface StreamOptions {
  /**
   * TCP_NODELAY: send small writes at once instead of waiting for an ACK (Nagle).
   * omnisock coalesces the writes of one tick itself, so Nagle only adds latency.
   *
   * **Note:** node:net and the WICG Direct Sockets standard default to `false`; omnisock sets
   * `true` on every runtime, except on the sockets a TLS listener accepts on Deno, which cannot
   * set TCP_NODELAY on them (`capabilities.tlsServerNoDelay`): they keep Nagle's algorithm, and
   * `listen({ tls, noDelay: true })` is `ENOTSUP` there.
   * @default true
   */
  noDelay?: boolean;
  /**
   * Turn TCP keepalive on, first probe after this many milliseconds of silence (from 0 to
   * 2^31 − 1).
   *
   * **Note:** `ENOTSUP` where the runtime cannot set the delay (`capabilities.keepAliveDelay`;
   * Deno).
   * @default undefined (keepalive off)
   */
  keepAliveDelay?: number;
  /**
   * Bytes queued for sending (and bytes read but not yet consumed) at which `write()`
   * returns `false` (and reading pauses). A positive integer.
   * @default 65536 — the same as undici and Node 22's streams
   */
  highWaterMark?: number;
  /**
   * Keep the socket writable after the peer has half-closed. When `false`, the peer's FIN
   * ends the socket once everything queued has been sent: when the reader reaches the FIN
   * (its loop ends), so that a reply to the last request still goes out — or at once if
   * nothing was ever read and nothing is unread.
   *
   * **Note:** `true` is `ENOTSUP` where the runtime cannot half-close
   * (`capabilities.halfOpen`).
   * @default false — as in node:net and the WinterTC Sockets API
   */
  allowHalfOpen?: boolean;
  /**
   * Close the socket with `ETIMEDOUT` after this many milliseconds without a byte sent or
   * received (from 0 to 2^31 − 1). `0` turns it off. `socket.setTimeout()` changes it later.
   *
   * **Note:** unlike node:net's `setTimeout`, which only emits an event, the socket is closed.
   * @default 0
   */
  idleTimeout?: number;
}

/** What {@link Omnisock.connect} takes, besides the target. */
export interface ConnectOptions extends StreamOptions {
  /**
   * Give up connecting after this many milliseconds (from 0 to 2^31 − 1), with `ETIMEDOUT`:
   * the lookup, every attempt and the TLS handshake included, and `startTls()`'s handshake
   * too (timed from its own start). `0` waits as long as the OS does.
   * @default 0
   */
  timeout?: number;
  /**
   * Aborting during connect (or during `startTls()`) rejects with `EABORTED`; afterwards it
   * ends the socket with `EABORTED`.
   * @default undefined (none)
   */
  signal?: AbortSignal;
  /**
   * The local IP address to connect from. TCP only.
   *
   * **Note:** `ENOTSUP` where the runtime cannot choose it (`capabilities.connectLocalAddress`;
   * Deno).
   * @default undefined (the system's choice)
   */
  localAddress?: string;
  /**
   * Resolve the host name to this family only. TCP only.
   * @default undefined (either)
   */
  family?: 4 | 6;
  /**
   * SO_SNDBUF in bytes.
   *
   * **Note:** `ENOTSUP` where the runtime cannot set it on a stream
   * (`capabilities.streamBufferSize`; Node, Bun and Deno today).
   * @default undefined (the system's)
   */
  sendBufferSize?: number;
  /**
   * SO_RCVBUF in bytes.
   *
   * **Note:** `ENOTSUP` where the runtime cannot set it on a stream
   * (`capabilities.streamBufferSize`; Node, Bun and Deno today).
   * @default undefined (the system's)
   */
  receiveBufferSize?: number;
  /**
   * TLS over the connection, through the runtime's own TLS. `true` verifies the server
   * against the runtime's root certificates and the target's host name. TCP only.
   * @default undefined (plain TCP)
   */
  tls?: boolean | TlsClientOptions;
}

/**
 * A client's TLS: what it sends and how it verifies the server. For `connect`'s `tls` and a
 * client socket's `startTls()`; every field is checked before any I/O (a `TypeError`).
 */
export interface TlsClientOptions {
  /**
   * The server name sent (SNI) and verified in the server's certificate: a host name or an
   * IP address.
   * @default the target's host name; for an IP literal target that address is verified, and
   * no SNI is sent (RFC 6066)
   */
  servername?: string;
  /**
   * Certificate authorities to trust, PEM (one string, or a non-empty array). On Node they
   * replace the root certificates.
   *
   * **Note:** Deno adds them to its root certificates instead (`Deno.startTls`'s `caCerts`),
   * so there a server with a publicly trusted certificate is accepted too.
   * @default the runtime's root certificates
   */
  ca?: string | readonly string[];
  /**
   * A client certificate (PEM), for servers that ask for one; needs `key`.
   *
   * **Note:** `ENOTSUP` where the runtime cannot send one
   * (`capabilities.tlsClientCertificate`; Deno).
   * @default undefined (none)
   */
  cert?: string;
  /**
   * The client certificate's private key, PEM; needs `cert`.
   * @default undefined (none)
   */
  key?: string;
  /**
   * ALPN protocols to offer, in order of preference, such as `["h2", "http/1.1"]`; the one
   * agreed on is `socket.tls.alpnProtocol`.
   * @default [] (no ALPN)
   */
  alpnProtocols?: readonly string[];
  /**
   * Verify the server's certificate and name. `false` accepts any server: only for tests.
   *
   * **Note:** Deno cannot turn verification off per connection: `false` is `ENOTSUP` there
   * (`capabilities.tlsNoVerify`).
   * @default true
   */
  rejectUnauthorized?: boolean;
}

/**
 * A server's TLS: for `listen`'s `tls` and an accepted socket's `startTls()`; every field is
 * checked before any I/O (a `TypeError`).
 */
export interface TlsServerOptions {
  /** The server's certificate chain, PEM. Required. */
  cert: string;
  /** Its private key, PEM. Required. */
  key: string;
  /**
   * Certificate authorities that client certificates are verified against, PEM (one string,
   * or a non-empty array). Required with `requestCert`.
   * @default undefined (none)
   */
  ca?: string | readonly string[];
  /**
   * Ask every client for a certificate and refuse the handshake unless it is valid and
   * signed by `ca`.
   *
   * **Note:** `true` is `ENOTSUP` where the runtime's TLS server cannot ask
   * (`capabilities.tlsClientAuth`; Deno).
   * @default false
   */
  requestCert?: boolean;
  /**
   * ALPN protocols to accept, in order of preference.
   * @default [] (no ALPN)
   */
  alpnProtocols?: readonly string[];
}

/**
 * What {@link Omnisock.listen} takes: where to listen — `hostname` and `port`, or `path`, or
 * `fd`, one kind only — how, and the options of the sockets it accepts.
 */
export interface ListenOptions extends StreamOptions {
  /**
   * The address to listen on: an IP address or a host name; `""` means every IPv4 interface,
   * `"::"` every interface (IPv4 too unless `ipv6Only`).
   *
   * **Note:** node:net listens on `::` when no host is given; Bun and Deno on `0.0.0.0`.
   * omnisock listens on `0.0.0.0` on every runtime.
   * @default "0.0.0.0"
   */
  hostname?: string;
  /**
   * The port, from 0 to 65535; `0` lets the system pick a free one.
   * @default 0 (read the one picked from `server.address`)
   */
  port?: number;
  /**
   * A Unix socket path, or `@name` for a Linux abstract name: at most 107 bytes (the
   * kernel's limit; a `RangeError` beyond). Excludes `hostname`, `port` and `tls`.
   *
   * **Note:** `ENOTSUP` where the runtime has no Unix sockets (`capabilities.unix`; Deno on
   * Windows), and for an abstract name outside Linux (`capabilities.unixAbstract`).
   * @default undefined (TCP)
   */
  path?: string;
  /**
   * An inherited listening socket's file descriptor (systemd socket activation hands over
   * fd 3). Excludes `hostname`, `port` and `path`.
   *
   * **Note:** `ENOTSUP` where the runtime cannot adopt one (`capabilities.listenFd`; Deno).
   * @default undefined (a new socket)
   */
  fd?: number;
  /**
   * Length of the kernel's queue of connections not yet accepted. A positive integer.
   *
   * **Note:** `ENOTSUP` when given where the runtime cannot set it (`capabilities.backlog`
   * for TCP, Bun; `capabilities.unixBacklog` for a Unix path, Bun and Deno).
   * @default 511 (as node:net)
   */
  backlog?: number;
  /**
   * SO_REUSEPORT: several listeners share the port and the kernel balances them.
   *
   * **Note:** `true` is `ENOTSUP` where the runtime cannot (`capabilities.listenReusePort`):
   * Node before 22.12, Deno without `--unstable-net`, and Bun and Deno outside Linux.
   * @default false
   */
  reusePort?: boolean;
  /**
   * IPV6_V6ONLY on a `::` listener: IPv6 connections only.
   *
   * **Note:** `true` is `ENOTSUP` where the runtime cannot set it
   * (`capabilities.listenIpv6Only`; Deno).
   * @default false
   */
  ipv6Only?: boolean;
  /**
   * `false` lets Node's cluster workers share this listener.
   *
   * **Note:** `false` is `ENOTSUP` where the runtime has no such sharing
   * (`capabilities.exclusive`; Bun and Deno).
   * @default true
   */
  exclusive?: boolean;
  /**
   * Connections beyond this many are closed as soon as they are accepted (and counted in
   * `stats.refused`). A positive integer or `Infinity`; `server.maxConnections` changes it
   * later.
   * @default Infinity
   */
  maxConnections?: number;
  /**
   * Aborting during listen rejects with `EABORTED`; afterwards it closes the server
   * (forcefully, as `close({ graceful: false })`).
   * @default undefined (none)
   */
  signal?: AbortSignal;
  /**
   * Accept TLS connections only, through the runtime's own TLS. TCP only.
   * @default undefined (plain TCP)
   */
  tls?: TlsServerOptions;
}

/**
 * What {@link Omnisock.bind} takes.
 *
 * **Note:** on Deno every UDP option needs `--unstable-net` (`capabilities.udp`).
 */
export interface BindOptions {
  /**
   * The local address: an IP address or a host name; `""` is the default.
   * @default "0.0.0.0", or "::" when `family` is 6
   */
  hostname?: string;
  /**
   * The port, from 0 to 65535; `0` lets the system pick one.
   * @default 0 (read the one picked from `socket.localAddress`)
   */
  port?: number;
  /**
   * The IP family of the socket when `hostname` does not tell; one that contradicts an IP
   * `hostname` is a TypeError.
   * @default 4
   */
  family?: 4 | 6;
  /**
   * SO_REUSEADDR, so that several sockets can join one multicast group on one port.
   *
   * **Note:** `true` is `ENOTSUP` where the runtime cannot (`capabilities.reuseAddr`; Bun).
   * @default false
   */
  reuseAddr?: boolean;
  /**
   * SO_REUSEPORT.
   *
   * **Note:** `true` is `ENOTSUP` where the runtime cannot
   * (`capabilities.datagramReusePort`): Node before 22.12, Bun outside Linux, and Deno.
   * @default false
   */
  reusePort?: boolean;
  /**
   * IPV6_V6ONLY on a `::` socket.
   *
   * **Note:** `true` is `ENOTSUP` where the runtime cannot (`capabilities.datagramIpv6Only`;
   * Deno).
   * @default false
   */
  ipv6Only?: boolean;
  /**
   * SO_BROADCAST: allow sending to a broadcast address. `setBroadcast()` changes it later.
   *
   * **Note:** `true` is `ENOTSUP` where the runtime cannot (`capabilities.broadcast`).
   * @default false
   */
  broadcast?: boolean;
  /**
   * IP_TTL for unicast datagrams, from 1 to 255.
   *
   * **Note:** `ENOTSUP` when given where the runtime cannot set it (`capabilities.ttl`; Deno).
   * @default undefined (the system's, 64 on Linux)
   */
  ttl?: number;
  /**
   * IP_MULTICAST_TTL, from 0 to 255: `0` keeps multicast on this host, `1` on this link.
   *
   * **Note:** `ENOTSUP` when given where the runtime cannot set it
   * (`capabilities.multicastOptions`; Deno).
   * @default 1 (as the WICG Direct Sockets standard)
   */
  multicastTimeToLive?: number;
  /**
   * IP_MULTICAST_LOOP: receive this host's own multicast datagrams.
   *
   * **Note:** `ENOTSUP` when given where the runtime cannot set it
   * (`capabilities.multicastOptions`; Deno).
   * @default true
   */
  multicastLoopback?: boolean;
  /**
   * SO_RCVBUF in bytes.
   *
   * **Note:** `ENOTSUP` where the runtime cannot set it (`capabilities.datagramBufferSize`;
   * Bun and Deno).
   * @default undefined (the system's)
   */
  receiveBufferSize?: number;
  /**
   * SO_SNDBUF in bytes.
   *
   * **Note:** `ENOTSUP` where the runtime cannot set it (`capabilities.datagramBufferSize`;
   * Bun and Deno).
   * @default undefined (the system's)
   */
  sendBufferSize?: number;
  /**
   * Datagrams received but not yet consumed; beyond this the newest are dropped and counted
   * in `stats.packetsDropped`, as the kernel would drop them. A positive integer.
   * @default 1024
   */
  receiveQueueSize?: number;
  /**
   * Aborting during bind rejects with `EABORTED`; afterwards it closes the socket.
   * @default undefined (none)
   */
  signal?: AbortSignal;
}

/** What {@link Omnisock.lookup} takes. */
export interface LookupOptions {
  /**
   * Only addresses of this family.
   * @default undefined (both)
   */
  family?: 4 | 6;
  /**
   * Every address, in the resolver's order, instead of the first.
   * @default false
   */
  all?: boolean;
}

/** What {@link Omnisock.probe} takes. */
export interface ProbeOptions {
  /**
   * Milliseconds to wait for the connection (from 0 to 2^31 − 1) before answering
   * `ETIMEDOUT`; `0` waits as long as the OS does.
   * @default 5000
   */
  timeout?: number;
}

/** What {@link DatagramSocket.joinMulticast} and `leaveMulticast` take. */
export interface JoinMulticastOptions {
  /**
   * The local interface's IP address to join on.
   * @default undefined (the system's choice)
   */
  interface?: string;
  /**
   * Source-specific multicast: receive the group's datagrams only from this source (an IP
   * address).
   *
   * **Note:** `ENOTSUP` where the runtime cannot (`capabilities.multicastSource`; Deno).
   * @default undefined (any source)
   */
  source?: string;
}

/** Server shutdown: `graceful` waits for connections to close themselves; otherwise they are closed now. */
export interface ServerCloseOptions {
  /**
   * Wait for the open connections to close on their own; `false` closes them at once.
   * @default true
   */
  graceful?: boolean;
}

/** What {@link Socket.read} and {@link DatagramSocket.read} take. */
export interface ReadOptions {
  /**
   * Stops reading when it aborts: the handler gets nothing more, and `read()` resolves once
   * its last call (and the promise that call returned) is over. The socket stays open; what
   * arrives from then on waits for the next reader. Already aborted: `read()` resolves at
   * once, having read nothing.
   * @default undefined (read until the end)
   */
  signal?: AbortSignal;
  /**
   * The handler only borrows each chunk: it is the handler's until the call returns (even if
   * it returns a promise), and then the runtime may read the next bytes into the same memory.
   * Copy what you keep, and what you `write()` (`chunk.slice()`). For a handler that parses
   * each chunk as it comes: on Deno reading on into one buffer is faster than a new one per
   * read (as a plain `conn.read(buffer)` loop does); elsewhere, and on a datagram socket,
   * chunks are the handler's to keep either way. Chunks that waited in the socket's buffer
   * are handed over as they are.
   * @default false (each chunk is the handler's to keep)
   */
  borrow?: boolean;
}

/** What {@link Server.broadcast} takes. */
export interface BroadcastOptions {
  /**
   * A socket (or sockets) not to send to, usually the sender.
   * @default undefined (none: every open connection)
   */
  except?: Socket | Iterable<Socket>;
}

// ---- normalized forms, what the engine hands a driver ----

/**
 * {@link StreamOptions} checked, with every default set: what a driver applies to each
 * stream it opens or accepts.
 */
export interface NormalizedStreamOptions {
  /** TCP_NODELAY: set it explicitly, whatever the runtime's own default. */
  readonly noDelay: boolean;
  /** Keepalive's first probe in milliseconds; `undefined`: keepalive off. */
  readonly keepAliveDelay: number | undefined;
  /** The engine's write-queue and read-buffer threshold: drivers need not apply it. */
  readonly highWaterMark: number;
  /**
   * Whether the socket stays writable after the peer's FIN. The engine decides what a FIN
   * means: a driver reports it (`StreamSink[sinkEnd]`) and never closes on it.
   */
  readonly allowHalfOpen: boolean;
  /** The engine's own idle timer: a driver leaves the runtime's idle timeout off. */
  readonly idleTimeout: number;
}

/** {@link ConnectOptions} and the target, checked, with every default set. */
export interface NormalizedConnectOptions extends NormalizedStreamOptions {
  /** One address to connect to: a Unix path, or a TCP address (an IP literal for `Driver.connect`). */
  readonly target: Address;
  /** The engine enforces it (through the `signal` handed to `Driver.connect`). */
  readonly timeout: number;
  /** The user's signal; the engine enforces it too. */
  readonly signal: AbortSignal | undefined;
  /** The local IP address to connect from, if given. */
  readonly localAddress: string | undefined;
  /** The family the engine resolved names to; already applied when the target reaches a driver. */
  readonly family: 4 | 6 | undefined;
  /** SO_SNDBUF, if given. */
  readonly sendBufferSize: number | undefined;
  /** SO_RCVBUF, if given. */
  readonly receiveBufferSize: number | undefined;
  /** TLS over the connection, if asked for. */
  readonly tls: NormalizedTlsClientOptions | undefined;
}

/** {@link TlsClientOptions} checked, with every default set. */
export interface NormalizedTlsClientOptions {
  /** Sent as SNI; `undefined` for an IP literal target without `servername`. */
  readonly servername: string | undefined;
  /** The name (or IP literal) the server's certificate must carry. */
  readonly verifyName: string;
  /** `undefined`: the runtime's roots. */
  readonly ca: readonly string[] | undefined;
  /** A client certificate, PEM, always with `key`. */
  readonly cert: string | undefined;
  /** The client certificate's key, PEM, always with `cert`. */
  readonly key: string | undefined;
  /** ALPN protocols to offer; empty for none. */
  readonly alpnProtocols: readonly string[];
  /** `false` only where `capabilities.tlsNoVerify` allows it. */
  readonly rejectUnauthorized: boolean;
}

/** {@link TlsServerOptions} checked, with every default set. */
export interface NormalizedTlsServerOptions {
  /** The server's certificate chain, PEM. */
  readonly cert: string;
  /** Its private key, PEM. */
  readonly key: string;
  /** What client certificates are verified against; always set with `requestCert`. */
  readonly ca: readonly string[] | undefined;
  /** Require and verify a client certificate (only where `capabilities.tlsClientAuth`). */
  readonly requestCert: boolean;
  /** ALPN protocols to accept; empty for none. */
  readonly alpnProtocols: readonly string[];
}

/** {@link ListenOptions} checked, with every default set. */
export interface NormalizedListenOptions extends NormalizedStreamOptions {
  /** Exactly one of `inet`, `unix` and `fd` is set. The IP address or name and port to listen on. */
  readonly inet:
    | {
        /** An IP address or a host name; `"0.0.0.0"` by default. */
        readonly hostname: string;
        /** `0` for the system's choice. */
        readonly port: number;
      }
    | undefined;
  /** The Unix path (or `@abstract` name) to listen on. */
  readonly unix: UnixAddress | undefined;
  /** The inherited listening socket's file descriptor. */
  readonly fd: number | undefined;
  /** The kernel's accept queue: 511 unless given. */
  readonly backlog: number;
  /** SO_REUSEPORT. */
  readonly reusePort: boolean;
  /** IPV6_V6ONLY. */
  readonly ipv6Only: boolean;
  /** `false`: share the listener with cluster workers. */
  readonly exclusive: boolean;
  /** The engine enforces it. */
  readonly maxConnections: number;
  /** The engine enforces it. */
  readonly signal: AbortSignal | undefined;
  /** Accept TLS only, if given. */
  readonly tls: NormalizedTlsServerOptions | undefined;
}

/** {@link BindOptions} checked, with every default set. */
export interface NormalizedBindOptions {
  /** An IP address or a host name: `"0.0.0.0"` or `"::"` unless given. */
  readonly hostname: string;
  /** `0` for the system's choice. */
  readonly port: number;
  /** The socket's IP family (`udp4` or `udp6`). */
  readonly family: 4 | 6;
  /** SO_REUSEADDR. */
  readonly reuseAddr: boolean;
  /** SO_REUSEPORT. */
  readonly reusePort: boolean;
  /** IPV6_V6ONLY. */
  readonly ipv6Only: boolean;
  /** SO_BROADCAST. */
  readonly broadcast: boolean;
  /** IP_TTL, if given; else leave the system's. */
  readonly ttl: number | undefined;
  /** IP_MULTICAST_TTL: 1 unless given. */
  readonly multicastTimeToLive: number;
  /** IP_MULTICAST_LOOP: `true` unless given. */
  readonly multicastLoopback: boolean;
  /** SO_RCVBUF, if given. */
  readonly receiveBufferSize: number | undefined;
  /** SO_SNDBUF, if given. */
  readonly sendBufferSize: number | undefined;
  /** The engine's receive queue; a driver need not look at it. */
  readonly receiveQueueSize: number;
  /** The engine enforces it. */
  readonly signal: AbortSignal | undefined;
}
