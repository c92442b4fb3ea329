// TCP and Unix streams over node:net: https://nodejs.org/api/net.html
//
// What node:net cannot do (each is a `capabilities` flag):
// - set SO_SNDBUF / SO_RCVBUF on a stream socket (`streamBufferSize`);
// - SO_REUSEPORT on a listener before Node 22.12 / 23.1, where the option is silently
//   ignored (`listenReusePort`);
// - Linux abstract Unix names anywhere but Linux (`unixAbstract`).
// It also cannot stop accepting while listening, so `ServerHandle` has no pause/resume and
// core holds new connections instead.
import { Buffer } from "node:buffer";
import net from "node:net";
import tls from "node:tls";
import { inetAddress, kernelPath, unixAddress } from "@omnisock/core/driver";
import type {
  NormalizedConnectOptions,
  NormalizedListenOptions,
  NormalizedStreamOptions,
  NormalizedTlsClientOptions,
  ServerHandle,
  ServerSink,
  SocketAddress,
  SocketError,
  StreamHandle,
  StreamSink,
  TlsInfo,
} from "@omnisock/core/driver";
import { toSocketError } from "./error.js";
import { tlsClientOptions, tlsInfo, tlsServerOptions } from "./tls.js";

const empty = Buffer.alloc(0);

/** The handle a node:net socket belongs to, so that one listener function serves every socket. */
const handleOf = Symbol("omnisock.handle");
type Tagged = net.Socket & { [handleOf]: NodeStream };

class NodeStream implements StreamHandle {
  readonly localAddress: SocketAddress;
  readonly remoteAddress: SocketAddress;
  readonly tls: TlsInfo | undefined;
  readonly #socket: net.Socket;
  #sink: StreamSink | undefined;
  #error: SocketError | undefined;
  #closed = false;

  constructor(
    socket: net.Socket,
    localAddress: SocketAddress,
    remoteAddress: SocketAddress,
    tls?: TlsInfo,
  ) {
    this.#socket = socket;
    this.localAddress = localAddress;
    this.remoteAddress = remoteAddress;
    this.tls = tls;
    (socket as Tagged)[handleOf] = this;
    // Nothing is read before start(). A connected socket would otherwise start reading right
    // after 'connect', and an 'end' emitted then would be lost; accepted ones come paused.
    socket.pause();
    socket.on("error", NodeStream.#onError);
    socket.on("close", NodeStream.#onClose);
  }

  // Node calls a listener with the socket as `this`: these are shared by every connection,
  // where closures would cost a few hundred bytes each per connection.
  static #onError(this: Tagged, error: Error & { syscall?: string }): void {
    const stream = this[handleOf];
    stream.#error ??= toSocketError(error, {
      syscall: error.syscall ?? "read",
      address: stream.remoteAddress,
    });
  }

  // Node emits 'close' once, after any 'error': the one place sink.close is called.
  static #onClose(this: Tagged): void {
    const stream = this[handleOf];
    stream.#closed = true;
    stream.#sink?.close(stream.#error);
  }

  // Plain Uint8Array views, so user code sees the same type on every runtime.
  static #onData(this: Tagged, chunk: Buffer): void {
    this[handleOf].#sink!.data(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }

  // Older libuv (1.46 in Node 20) takes a short read with POLLHUP for the end of the stream; an RST
  // raises POLLHUP, so Node 20 may emit 'end' for a reset connection, the ECONNRESET left
  // unread in the kernel. An empty write fetches it (and does nothing after a real FIN): the
  // socket is then `errored`, and 'error' and 'close' follow instead of the end. Not on a Unix
  // socket: it has no RST, and there the write would fail with EPIPE after a plain close.
  // https://github.com/libuv/libuv/pull/4997
  static #onEnd(this: Tagged): void {
    const stream = this[handleOf];
    // node:tls emits a peer's alert (a refused client certificate) as 'error' then 'end', and
    // with allowHalfOpen no 'close': the error ends the socket, not a FIN.
    if (stream.#error) {
      this.destroy();
      return;
    }
    const tcp = stream.remoteAddress.transport !== "unix" && stream.tls === undefined;
    if (tcp && !this.writableEnded && this.writableLength === 0) this.write(empty);
    if (!this.errored) stream.#sink!.end();
  }

  start(sink: StreamSink): void {
    this.#sink = sink;
    this.#socket.on("data", NodeStream.#onData);
    this.#socket.on("end", NodeStream.#onEnd);
    if (this.#closed) sink.close(this.#error);
    else this.#socket.resume();
  }

  allocate(size: number): Uint8Array {
    // Not from Node's shared pool: the engine keeps and reuses this memory.
    return Buffer.allocUnsafeSlow(size);
  }

  write(data: Uint8Array): number {
    // node:net buffers whatever it cannot write now, so it takes everything — unless the
    // socket has failed. A write the kernel refuses at once (the peer has reset) marks it
    // `errored` before write() returns, and a destroyed one (Node 20, until 'close') drops
    // what it is given; both with writableLength 0. Nothing was taken then: core keeps the
    // bytes queued, and 'close' with the error fails flush() instead of counting them sent.
    const socket = this.#socket;
    if (socket.destroyed || socket.errored) return 0;
    socket.write(data, this.#afterWrite);
    return socket.destroyed || socket.errored ? 0 : data.length;
  }

  // A write's callback runs once its bytes are in the kernel; a failed write also emits
  // 'error', which closes the socket, so the error itself is not needed here.
  readonly #afterWrite = (error?: Error | null): void => {
    if (!error && this.#socket.writableLength === 0) this.#sink?.drain();
  };

  get busy(): boolean {
    return this.#socket.writableLength > 0;
  }

  startTls(options: NormalizedTlsClientOptions): Promise<StreamHandle> {
    const socket = this.#socket;
    // This handle lets go of the TCP socket: node:tls reads and writes it from now on.
    socket.off("data", NodeStream.#onData);
    socket.off("end", NodeStream.#onEnd);
    socket.off("error", NodeStream.#onError);
    socket.off("close", NodeStream.#onClose);
    this.#sink = undefined;
    return new Promise((resolve, reject) => {
      const secure = tls.connect({ ...tlsClientOptions(options), socket });
      const fail = (error: Error): void => {
        secure.destroy();
        reject(toSocketError(error, { syscall: "handshake", address: this.remoteAddress }));
      };
      secure.once("error", fail);
      secure.once("secureConnect", () => {
        secure.off("error", fail);
        resolve(
          new NodeStream(
            secure,
            this.localAddress,
            this.remoteAddress,
            tlsInfo(secure, options.servername),
          ),
        );
      });
    });
  }

  pause(): void {
    this.#socket.pause();
  }

  resume(): void {
    this.#socket.resume();
  }

  shutdown(): void {
    this.#socket.end();
  }

  close(): void {
    // Core flushes before it closes, so nothing queued is lost here. A TLS socket first
    // sends close_notify (end()): without it rustls (Deno) reads the close as a truncation.
    if (this.tls) this.#socket.destroySoon();
    else this.#socket.destroy();
  }

  reset(): void {
    // resetAndDestroy() throws on a Unix socket, which has no RST. While a shutdown (FIN) is
    // in flight, libuv refuses the RST (uv_tcp_close_reset: EINVAL) and Node then never
    // emits 'close', so the socket would hang open: close it instead; the FIN is sent anyway.
    // https://docs.libuv.org/en/v1.x/tcp.html#c.uv_tcp_close_reset
    // node:tls cannot send an RST through its TLS layer (resetAndDestroy throws
    // ERR_INVALID_HANDLE_TYPE on a TLSSocket): a TLS socket closes (capabilities.tlsReset).
    const shuttingDown = this.#socket.writableEnded && !this.#socket.writableFinished;
    const noReset = this.remoteAddress.transport === "unix" || this.tls !== undefined;
    if (noReset || shuttingDown) this.#socket.destroy();
    else this.#socket.resetAndDestroy();
  }

  setNoDelay(enable: boolean): void {
    this.#socket.setNoDelay(enable);
  }

  setKeepAlive(enable: boolean, delayMs: number | undefined): void {
    // 0 leaves the system's delay in place.
    this.#socket.setKeepAlive(enable, delayMs ?? 0);
  }

  ref(): void {
    this.#socket.ref();
  }

  unref(): void {
    this.#socket.unref();
  }
}

/** Every default is set here, not left to Node, for connected and accepted sockets alike. */
function nodeDefaults(options: NormalizedStreamOptions) {
  return {
    // Always on: core decides what the peer's FIN means (it shuts down or closes itself).
    allowHalfOpen: true,
    noDelay: options.noDelay,
    keepAlive: options.keepAliveDelay !== undefined,
    keepAliveInitialDelay: options.keepAliveDelay ?? 0,
  };
}

/** A TCP stream; its addresses are read now, so that they stay readable after close. */
function tcpStream(socket: net.Socket, servername?: string): NodeStream {
  return new NodeStream(
    socket,
    inetAddress("tcp", socket.localAddress, socket.localPort),
    inetAddress("tcp", socket.remoteAddress, socket.remotePort),
    socket instanceof tls.TLSSocket ? tlsInfo(socket, servername) : undefined,
  );
}

export function connect(
  options: NormalizedConnectOptions,
  signal: AbortSignal | undefined,
): Promise<StreamHandle> {
  const { target } = options;
  return new Promise((resolve, reject) => {
    const fail = (error: unknown): void => {
      signal?.removeEventListener("abort", onAbort);
      reject(toSocketError(error, { syscall: "connect", address: target }));
    };
    const onAbort = (): void => {
      socket.destroy();
      fail(signal?.reason);
    };
    if (signal?.aborted) return fail(signal.reason);
    // sendBufferSize / receiveBufferSize never get here: capabilities.streamBufferSize is false.
    const socket =
      target.transport === "unix"
        ? net.connect({ ...nodeDefaults(options), path: kernelPath(target) })
        : options.tls
          ? // tls.connect hands the net options (localAddress) on to the socket it makes.
            tls.connect({
              ...nodeDefaults(options),
              ...tlsClientOptions(options.tls),
              host: target.hostname,
              port: target.port,
              localAddress: options.localAddress,
            } as tls.ConnectionOptions)
          : net.connect({
              ...nodeDefaults(options),
              // An IP literal: core resolved the name and races the addresses itself.
              host: target.hostname,
              port: target.port,
              localAddress: options.localAddress,
            });
    // Stays attached on failure, so that a late error can never go unhandled.
    socket.on("error", fail);
    // A TLS connection is up once its handshake is over and the server verified.
    socket.once(options.tls ? "secureConnect" : "connect", () => {
      signal?.removeEventListener("abort", onAbort);
      const handle =
        target.transport === "unix"
          ? new NodeStream(socket, unixAddress(""), target)
          : tcpStream(socket, options.tls?.servername);
      socket.off("error", fail);
      resolve(handle);
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export function listen(options: NormalizedListenOptions, sink: ServerSink): Promise<ServerHandle> {
  // pauseOnConnect: no byte is read before core calls start(). A TLS server must read to
  // shake hands: its connections are paused once they are secure (NodeStream pauses them).
  const server = options.tls
    ? tls.createServer({ ...nodeDefaults(options), ...tlsServerOptions(options.tls) })
    : net.createServer({ ...nodeDefaults(options), pauseOnConnect: true });
  // maxConnections is core's: server.maxConnections is left alone.
  const { inet, unix, fd, backlog, exclusive } = options;
  const given = inet ? ({ transport: "tcp", ...inet } as const) : unix;
  return new Promise((resolve, reject) => {
    server.once("error", (error) => {
      reject(toSocketError(error, { syscall: "listen", address: given, name: `fd ${fd}` }));
    });
    server.once("listening", () => {
      const info = server.address();
      const address: SocketAddress =
        typeof info === "object" && info !== null
          ? inetAddress("tcp", info.address, info.port)
          : (unix ?? unixAddress(info ?? "")); // Node cannot name a Unix socket inherited by fd
      server.removeAllListeners("error");
      server.on("error", (error) =>
        sink.error(toSocketError(error, { syscall: "accept", address })),
      );
      // A client that fails the handshake (a plaintext peer, a refused certificate) never
      // becomes a connection; only the monitor hears of it.
      server.on("tlsClientError", (error: Error) =>
        sink.rejected(toSocketError(error, { syscall: "handshake", address })),
      );
      server.on(options.tls ? "secureConnection" : "connection", (socket: net.Socket) => {
        sink.connection(
          address.transport === "unix"
            ? new NodeStream(socket, address, unixAddress(""))
            : tcpStream(socket),
        );
      });
      resolve({
        address,
        close() {
          // server.close() closes the listening socket at once (the port is free when it
          // returns) but calls back only when every accepted connection has gone; core
          // wants the first, and leaves the connections alone.
          server.close();
          return Promise.resolve();
        },
        ref: () => void server.ref(),
        unref: () => void server.unref(),
      });
    });
    if (unix) {
      server.listen({
        path: kernelPath(unix),
        readableAll: false,
        writableAll: false,
        backlog,
        exclusive,
      });
    } else if (inet) {
      server.listen({
        // "" means every IPv4 interface; Node would take it as "::".
        host: inet.hostname === "" ? "0.0.0.0" : inet.hostname,
        port: inet.port,
        ipv6Only: options.ipv6Only,
        // Not in @types/node 20; Node 20 ignores it, so core refuses it there (capabilities).
        ...(options.reusePort ? { reusePort: true } : {}),
        backlog,
        exclusive,
      });
    } else {
      // For an fd, Node reads the backlog from the arguments, not from the options object.
      server.listen({ fd }, backlog);
    }
  });
}
