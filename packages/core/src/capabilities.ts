import { notSupported } from "./error.js";

/**
 * What a runtime can honour. Each `false` is answered with an `ENOTSUP` {@link SocketError}
 * naming the option or call and the runtime — never silently ignored. Only an option the
 * caller gives counts: a default never fails. The README's capability matrix is generated
 * from these objects (`npm run capabilities`).
 *
 * A flag may depend on the platform (abstract Unix names are Linux's) and on how the runtime
 * was started (Deno's UDP needs `--unstable-net`): read it from the running adapter's
 * `capabilities` rather than assuming it from the runtime's name.
 */
export interface Capabilities {
  /** Unix-domain stream sockets (`unix:///path`). */
  readonly unix: boolean;
  /** Linux abstract Unix names (`unix:@name`). */
  readonly unixAbstract: boolean;
  /** UDP datagram sockets (`bind`). */
  readonly udp: boolean;
  /** `connect()` on a datagram socket, so that only the peer's datagrams are received. */
  readonly udpConnect: boolean;
  /** `reset()` sends a TCP RST instead of a FIN. */
  readonly reset: boolean;
  /** `allowHalfOpen`: keep writing after the peer has half-closed. */
  readonly halfOpen: boolean;
  /** `keepAliveDelay` / `setKeepAlive(true, delay)` with a delay other than the system's. */
  readonly keepAliveDelay: boolean;
  /** `sendBufferSize` / `receiveBufferSize` (SO_SNDBUF / SO_RCVBUF) on a stream. */
  readonly streamBufferSize: boolean;
  /** `sendBufferSize` / `receiveBufferSize` (SO_SNDBUF / SO_RCVBUF) on a datagram socket. */
  readonly datagramBufferSize: boolean;
  /** `localAddress` for an outgoing connection. */
  readonly connectLocalAddress: boolean;
  /** `reusePort` on a listener (SO_REUSEPORT). */
  readonly listenReusePort: boolean;
  /** `reusePort` on a datagram socket (SO_REUSEPORT). */
  readonly datagramReusePort: boolean;
  /** `exclusive: false`, sharing a listener with cluster workers. */
  readonly exclusive: boolean;
  /** `ipv6Only` (IPV6_V6ONLY) on a listener. */
  readonly listenIpv6Only: boolean;
  /** `ipv6Only` (IPV6_V6ONLY) on a datagram socket. */
  readonly datagramIpv6Only: boolean;
  /** `backlog` for a TCP listener. */
  readonly backlog: boolean;
  /** `backlog` for a Unix-domain listener. */
  readonly unixBacklog: boolean;
  /** `listen({ fd })`: a listening socket inherited from the parent, as systemd hands over. */
  readonly listenFd: boolean;
  /** `reuseAddr` on a datagram socket (SO_REUSEADDR). */
  readonly reuseAddr: boolean;
  /** `setBroadcast` / `broadcast` (SO_BROADCAST). */
  readonly broadcast: boolean;
  /** `setTTL` / `ttl` (IP_TTL) on a datagram socket. */
  readonly ttl: boolean;
  /** `joinMulticast` / `leaveMulticast` without a source (any-source multicast). */
  readonly multicast: boolean;
  /** `joinMulticast(group, { source })`: source-specific multicast. */
  readonly multicastSource: boolean;
  /** `setMulticastTTL`, `setMulticastLoopback`, `setMulticastInterface`. */
  readonly multicastOptions: boolean;
  /** TLS: `connect(target, { tls })` and `listen({ tls })`, over the runtime's own TLS. */
  readonly tls: boolean;
  /** `tls: { rejectUnauthorized: false }`: a client that does not verify the server. */
  readonly tlsNoVerify: boolean;
  /** `reset()` of a TLS socket sends a TCP RST; without it the TLS socket closes instead. */
  readonly tlsReset: boolean;
  /** `tls: { cert, key }` on connect: a client certificate. */
  readonly tlsClientCertificate: boolean;
  /** `listen({ tls: { requestCert: true, ca } })`: a server that requires and verifies client certificates. */
  readonly tlsClientAuth: boolean;
  /**
   * `socket.tls` knows `protocol` and `cipher`, and an accepted socket the `servername` its
   * client asked for; without it those are `undefined`.
   */
  readonly tlsSessionInfo: boolean;
  /** `socket.startTls()` on a connected client socket (STARTTLS, Postgres' SSLRequest). */
  readonly tlsUpgrade: boolean;
  /** `socket.startTls({ cert, key })` on an accepted socket: a server's STARTTLS (SMTP, IMAP, XMPP). */
  readonly tlsServerUpgrade: boolean;
  /**
   * `socket.startTls()` before the peer has sent anything (a PROXY protocol header, then TLS).
   * Without it, `startTls()` needs a byte from the peer first — the answer or the greeting
   * that STARTTLS, Postgres' SSLRequest and MySQL all have: until then a read is pending that
   * the runtime cannot take back (Deno).
   */
  readonly tlsUpgradeBeforeData: boolean;
  /**
   * TCP_NODELAY on the sockets a TLS listener accepts: `listen({ tls, noDelay })` and their
   * `setNoDelay()`. Without it (Deno's TLS connections cannot set it, deno#13617) they keep
   * Nagle's algorithm whatever `noDelay` says: `noDelay: true` with `tls` is `ENOTSUP` (the
   * default is not), and so is a `setNoDelay()` on any TLS socket that asks for a change — a
   * TLS client's is set before TLS starts, so `connect`'s `noDelay` is honoured.
   */
  readonly tlsServerNoDelay: boolean;
  /**
   * `setKeepAlive()` on a TLS socket. Without it (Deno's TLS connections have no setKeepAlive,
   * deno#13617) a TLS socket keeps the keepalive it had when TLS started (off, omnisock's
   * default), and `setKeepAlive()` on it is `ENOTSUP`.
   */
  readonly tlsKeepAlive: boolean;
}

/** Every key of {@link Capabilities}, in the order the README's matrix lists them. */
export const capabilityNames = [
  "unix",
  "unixAbstract",
  "udp",
  "udpConnect",
  "reset",
  "halfOpen",
  "keepAliveDelay",
  "streamBufferSize",
  "datagramBufferSize",
  "connectLocalAddress",
  "listenReusePort",
  "datagramReusePort",
  "exclusive",
  "listenIpv6Only",
  "datagramIpv6Only",
  "backlog",
  "unixBacklog",
  "listenFd",
  "reuseAddr",
  "broadcast",
  "ttl",
  "multicast",
  "multicastSource",
  "multicastOptions",
  "tls",
  "tlsNoVerify",
  "tlsReset",
  "tlsClientCertificate",
  "tlsClientAuth",
  "tlsSessionInfo",
  "tlsUpgrade",
  "tlsServerUpgrade",
  "tlsUpgradeBeforeData",
  "tlsServerNoDelay",
  "tlsKeepAlive",
] as const satisfies readonly (keyof Capabilities)[];

/** The runtime a socket lives on, as the engine needs it to answer `ENOTSUP`. */
export interface Platform {
  /** The runtime's name as `ENOTSUP` messages say it: `"node"`, `"bun"`, `"deno"`. */
  readonly runtime: string;
  /** What the runtime can honour. */
  readonly capabilities: Capabilities;
  /**
   * For a capability the user can turn on (a flag, a permission), how: it goes into the
   * `ENOTSUP` message, e.g. `{ udp: "run deno with --unstable-net" }`.
   */
  readonly hints?: Readonly<Partial<Record<keyof Capabilities, string>>>;
}

/** Throw `ENOTSUP` naming `what`, the runtime and any hint unless the runtime has `flag`. */
export function requireCapability(
  platform: Platform,
  flag: keyof Capabilities,
  what: string,
): void {
  if (!platform.capabilities[flag])
    throw notSupported(what, platform.runtime, platform.hints?.[flag]);
}
