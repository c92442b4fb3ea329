import type { Omnisock, SocketAddress } from "@omnisock/core";

/**
 * What a runtime's entry file hands the suite besides the API: a name, and the few helpers
 * that need the runtime's own API (a temp directory, a child process). A case whose helper
 * is missing is skipped, and says so in its title.
 */
export interface ConformanceContext {
  /** Shown in the suite's title: "node", "bun", "deno". */
  readonly name: string;
  /**
   * A writable directory for Unix socket files, such as the OS temp dir. Keep it short:
   * a socket path is limited to about 104 bytes.
   */
  readonly tempDir?: string;
  /**
   * Start a TCP listener on 127.0.0.1 that never accepts and has a tiny backlog (1), so
   * that once a couple of connections wait in its queue, the kernel drops every further SYN
   * and a connect can only time out. The public API cannot make one: every driver accepts
   * as soon as the kernel has a connection.
   */
  readonly blackHole?: () => Promise<BlackHole>;
  /**
   * Start, in a second process of this runtime, a server made with `listen({ fd })` from
   * a listening TCP socket on 127.0.0.1 it inherited (as systemd hands one over). It must
   * echo every connection and end its side when the peer does.
   */
  readonly inheritedListener?: () => Promise<InheritedListener>;
  /**
   * Start, in another process, a TLS echo server on 127.0.0.1 that omnisock did not write
   * (python3's ssl module), with this certificate and key. It first writes
   * "<protocol version> <ALPN protocol>\n", then echoes.
   */
  readonly externalTlsPeer?: (cert: string, key: string) => Promise<ExternalTlsPeer>;
  /**
   * The same server, but plaintext first: it answers a line "STARTTLS" with "GO\n", then
   * starts TLS and echoes; a line "STARTTLS-INJECT" gets "GO\n" and, 50 ms later, plaintext
   * bytes (an injection a client must refuse), and no TLS.
   */
  readonly externalStartTlsPeer?: (cert: string, key: string) => Promise<ExternalTlsPeer>;
  /**
   * Start, in another process, a STARTTLS client omnisock did not write (python3's ssl module):
   * it connects to 127.0.0.1:`port`, writes "STARTTLS\n", waits for "GO\n", then starts TLS,
   * verifying the server's certificate against `ca` and the name "localhost", and echoes what
   * it reads until the server ends the TLS session cleanly (close_notify).
   */
  readonly externalStartTlsClient?: (port: number, ca: string) => Promise<ExternalTlsClient>;
  /**
   * Start, in a child process, a peer listening on 127.0.0.1 that the case can kill with
   * SIGKILL mid-transfer, so that the kernel, not the peer's code, ends the connection.
   * It serves one connection at a time, as `behaviour` says:
   * - `"slow-sink"`: reads slowly (one read every 20 ms), so that what it is sent piles up
   *   unread in its kernel buffer;
   * - `"source"`: writes as fast as the connection takes it, byte `n` of the stream being
   *   `n % 251` ({@link sourceByte}), and reads nothing.
   * It exits by itself after 20 s.
   */
  readonly killablePeer?: (behaviour: "slow-sink" | "source") => Promise<KillablePeer>;
  /**
   * How many file descriptors this process has open (the entries of `/proc/self/fd`), so
   * that a case can check that none leak. Missing where the system does not tell.
   */
  readonly openFileDescriptors?: () => number;
  /**
   * Start, in a second process of this runtime, a node:cluster primary with two workers that
   * each call `listen({ hostname: "127.0.0.1", port: 0, exclusive })`; the two ports the
   * workers got. Workers that share the primary's listener get the same port.
   */
  readonly clusterListeners?: (exclusive: boolean) => Promise<number[]>;
  /**
   * The kernel's own view of this host's sockets, so that a case can see that an option took
   * effect rather than that it was accepted. Each helper is there only where the host has
   * what it needs (on Linux: /proc/net, `ss`, python3).
   */
  readonly kernel?: Kernel;
}

export interface ExternalTlsPeer {
  readonly port: number;
  close(): Promise<void>;
}

export interface ExternalTlsClient {
  /**
   * Resolves once the client has exited after a clean end, with "<protocol version> <bytes
   * echoed>"; rejects with its error output when it failed (a certificate it refused, …).
   */
  readonly done: Promise<string>;
  close(): Promise<void>;
}

export interface KillablePeer {
  readonly hostname: string;
  readonly port: number;
  /** SIGKILL the process and wait until it has exited. */
  kill(): Promise<void>;
}

/** Byte `offset` of what a `"source"` {@link KillablePeer} writes. */
export function sourceByte(offset: number): number {
  return offset % 251;
}

/** What the kernel holds for sockets on this host. Every helper is optional. */
export interface Kernel {
  /**
   * The timer running on the TCP connection from `localPort` to `remotePort` on loopback,
   * or `undefined` when there is no such connection.
   */
  readonly tcpTimer?: (localPort: number, remotePort: number) => Promise<TcpTimer | undefined>;
  /** The length of a listener's accept queue, as the kernel holds it (`backlog`). */
  readonly listenBacklog?: (address: SocketAddress) => Promise<number | undefined>;
  /**
   * SO_RCVBUF and SO_SNDBUF of the socket on local `port` (a TCP connection or a UDP socket),
   * as the kernel holds them. Linux keeps double what was set (socket(7)).
   */
  readonly socketBuffers?: (
    transport: "tcp" | "udp",
    port: number,
  ) => Promise<SocketBuffers | undefined>;
  /** IP_MULTICAST_LOOP of the UDP socket bound to `port`, as the kernel holds it. */
  readonly multicastLoop?: (port: number) => Promise<boolean | undefined>;
  /**
   * Start a UDP receiver in a helper process, bound to `hostname` (IPv4), or to `group` and a
   * member of it on the interface `hostname`. It reports each datagram with what the kernel
   * says of it: its TTL, and the interface it came in by.
   */
  readonly datagramProbe?: (options: {
    hostname: string;
    group?: string;
  }) => Promise<DatagramProbe>;
}

export interface TcpTimer {
  /** Which timer runs; "none" when none does (an idle connection without keepalive). */
  readonly kind: "none" | "retransmit" | "keepalive" | "timeWait" | "zeroWindowProbe";
  /** Time left until it fires. */
  readonly ms: number;
}

export interface SocketBuffers {
  readonly receive: number;
  readonly send: number;
}

export interface DatagramProbe {
  /** The port it is bound to. */
  readonly port: number;
  /** The next datagram, or `undefined` if none arrives within `ms`. */
  next(ms: number): Promise<ProbedDatagram | undefined>;
  close(): Promise<void>;
}

export interface ProbedDatagram {
  /** The payload, as UTF-8. */
  readonly data: string;
  /** The sender's address and port. */
  readonly hostname: string;
  readonly port: number;
  /** The TTL in the datagram's IP header (IP_RECVTTL). */
  readonly ttl: number;
  /** The address of the interface it came in by (IP_PKTINFO). */
  readonly interface: string;
}

export interface BlackHole {
  readonly hostname: string;
  readonly port: number;
  /** Stop the listener (and whatever holds it). */
  close(): Promise<void>;
}

export interface InheritedListener {
  /** `server.address` as the process that called `listen({ fd })` reports it. */
  readonly address: SocketAddress;
  close(): Promise<void>;
}

/** The adapter under test, as every adapter exports it. */
export type Api = Omnisock;
