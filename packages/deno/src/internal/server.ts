// TCP and Unix listeners over Deno.listen: https://docs.deno.com/api/deno/~/Deno.listen
//
// What Deno cannot do (each is a `capabilities` flag):
// - IPV6_V6ONLY: a `::` listener always takes IPv4 too (`ipv6Only`);
// - listen on an inherited fd (`listenFd`), or share a listener with workers (`exclusive`);
// - SO_REUSEPORT without --unstable-net, or anywhere but Linux (`listenReusePort`);
// - a backlog for a Unix listener: Deno always asks for 1024 (`unixBacklog`).
// Deno accepts only when asked, so `pause()` really stops accepting: connections wait in the
// kernel's backlog.
import { acceptedLocal, kernelPath, notSupported } from "@omnisock/core/driver";
import type {
  NormalizedListenOptions,
  ServerHandle,
  ServerSink,
  SocketAddress,
} from "@omnisock/core/driver";
import { socketAddress } from "./address.js";
import { type Conn, deno, type Listener, type TlsConn, unstableNet } from "./deno.js";
import { toSocketError } from "./error.js";
import { listenTlsOptions, secureAccepted } from "./tls.js";
import { DenoStream, secureStream, tcpStream } from "./stream.js";

class DenoServer implements ServerHandle {
  readonly address: SocketAddress;
  readonly #listener: Listener;
  readonly #options: NormalizedListenOptions;
  readonly #sink: ServerSink;
  /** Every accepted connection's local address, where the listener's tells it (`acceptedLocal`). */
  readonly #local: SocketAddress | undefined;
  #closed = false;
  #paused = false;
  #wake: (() => void) | undefined;
  #accepting: Promise<Conn> | undefined;
  #refed = true;
  /** While paused no accept is pending, and nothing else would keep the process alive. */
  #holdOpen: ReturnType<typeof setInterval> | undefined;

  constructor(listener: Listener, options: NormalizedListenOptions, sink: ServerSink) {
    this.#listener = listener;
    this.#options = options;
    this.#sink = sink;
    this.address = socketAddress(listener.addr);
    this.#local = acceptedLocal(this.address);
    void this.#acceptLoop();
  }

  async #acceptLoop(): Promise<void> {
    while (!this.#closed) {
      if (this.#paused) {
        await new Promise<void>((wake) => (this.#wake = wake));
        continue;
      }
      let conn: Conn;
      try {
        this.#accepting = this.#listener.accept();
        conn = await this.#accepting;
      } catch (error) {
        this.#accepting = undefined;
        if (this.#closed) return;
        this.#sink.error(toSocketError(error, { syscall: "accept", address: this.address }));
        // EMFILE and the like: wait a little rather than spin on an error that persists.
        await new Promise((wait) => setTimeout(wait, 100));
        continue;
      }
      // Settled: from here the connection is the sink's (or closed below), not close()'s.
      this.#accepting = undefined;
      if (this.#closed) return conn.close();
      // A TLS connection is handed out once its handshake is over; the accept loop goes on.
      if (this.#options.tls) {
        void this.#secure(conn as TlsConn);
        continue;
      }
      try {
        this.#sink.connection(
          this.address.transport === "unix"
            ? new DenoStream(conn)
            : tcpStream(conn, this.#options, this.#local),
        );
      } catch (error) {
        // setNoDelay on a connection the peer has already reset, and the like.
        try {
          conn.close();
        } catch {
          // Already closed.
        }
        this.#sink.error(toSocketError(error, { syscall: "accept", address: this.address }));
      }
    }
  }

  async #secure(conn: TlsConn): Promise<void> {
    try {
      const info = await secureAccepted(conn);
      if (this.#closed) return conn.close();
      this.#sink.connection(secureStream(conn, info));
    } catch (error) {
      try {
        conn.close();
      } catch {
        // Already closed.
      }
      // A plaintext peer, a client that hung up: the client's fault, not the server's.
      this.#sink.rejected(toSocketError(error, { syscall: "handshake", address: this.address }));
    }
  }

  pause(): void {
    // The accept already pending may still complete: core holds that one connection.
    this.#paused = true;
    if (this.#refed) this.#holdOpen ??= setInterval(() => {}, 1 << 30);
  }

  resume(): void {
    this.#paused = false;
    this.#release();
    this.#wake?.();
    this.#wake = undefined;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#release();
    this.#wake?.();
    try {
      this.#listener.close();
    } catch {
      // Already closed.
    }
    // Deno releases the port only once the pending accept has settled. Only an accept still
    // pending counts: a connection it brings is closed by #acceptLoop, which sees #closed (its
    // await runs first), while one already handed to the sink is the user's to close.
    await this.#accepting?.then(
      () => {},
      () => {},
    );
  }

  #release(): void {
    if (this.#holdOpen !== undefined) clearInterval(this.#holdOpen);
    this.#holdOpen = undefined;
  }

  ref(): void {
    this.#refed = true;
    this.#listener.ref();
    if (this.#paused && !this.#closed) this.#holdOpen ??= setInterval(() => {}, 1 << 30);
  }

  unref(): void {
    this.#refed = false;
    this.#listener.unref();
    this.#release();
  }
}

export function listen(options: NormalizedListenOptions, sink: ServerSink): Promise<ServerHandle> {
  const { inet, unix } = options;
  const given = inet ? ({ transport: "tcp", ...inet } as const) : unix;
  let listener: Listener;
  try {
    if (unix) {
      listener = deno.listen({ transport: "unix", path: kernelPath(unix) });
    } else if (inet) {
      // Without --unstable-net, Deno exits the process on reusePort (it does not throw).
      // Core refuses it first (capabilities.listenReusePort): this guards the process.
      if (options.reusePort && !unstableNet) {
        throw notSupported("reusePort: true", "deno", "run with --unstable-net");
      }
      const tcp = {
        transport: "tcp",
        // "" means every IPv4 interface, which is also Deno's default.
        hostname: inet.hostname === "" ? "0.0.0.0" : inet.hostname,
        port: inet.port,
        tcpBacklog: options.backlog,
        ...(options.reusePort ? { reusePort: true } : {}),
      } as const;
      listener = options.tls
        ? deno.listenTls({ ...tcp, ...listenTlsOptions(options.tls) })
        : deno.listen(tcp);
    } else {
      throw notSupported("fd", "deno"); // unreachable: capabilities.listenFd is false
    }
  } catch (error) {
    return Promise.reject(toSocketError(error, { syscall: "listen", address: given }));
  }
  return Promise.resolve(new DenoServer(listener, options, sink));
}
