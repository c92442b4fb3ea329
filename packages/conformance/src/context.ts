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
}

export interface ExternalTlsPeer {
  readonly port: number;
  close(): Promise<void>;
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
