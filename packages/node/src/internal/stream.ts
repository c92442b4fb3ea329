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
import {
  acceptedLocal,
  connectedPeer,
  ignoreEvents,
  inetAddress,
  kernelPath,
  sinkClose,
  sinkData,
  sinkDrain,
  sinkEnd,
  tlsCloseLimit,
  unixAddress,
} from "@omnisock/core/driver";
import type {
  NormalizedConnectOptions,
  NormalizedListenOptions,
  NormalizedStreamOptions,
  NormalizedTlsClientOptions,
  NormalizedTlsServerOptions,
  ServerHandle,
  ServerSink,
  SocketAddress,
  SocketError,
  StreamHandle,
  StreamSink,
  TlsInfo,
} from "@omnisock/core/driver";
import { toSocketError } from "./error.js";
import { parentOf, secureClient, tlsInfo, tlsServerOptions } from "./tls.js";

const empty = Buffer.alloc(0);

/**
 * A stream's sink once its connection closed before start(), which then reports the close:
 * no field of its own for that on each connection.
 */
const closedEarly: StreamSink = { ...ignoreEvents };

/** The handle a node:net socket belongs to, so that one listener function serves every socket. */
const handleOf = Symbol("omnisock.handle");
type Tagged = net.Socket & { [handleOf]: NodeStream };

/** What only a TLS stream has: one field on a plain one, made with the stream where it is TLS. */
interface Secure {
  readonly info: TlsInfo;
  /**
   * The TCP socket under the TLS one, for reset() (node:tls cannot send an RST itself) and
   * setNoDelay().
   */
  readonly raw: net.Socket | undefined;
  /** A TLS close's limit: the socket goes then, close_notify sent or not. */
  closeTimer: ReturnType<typeof setTimeout> | undefined;
}

// No private methods, only static ones: an instance private method costs every instance a
// field (its class brand).
class NodeStream implements StreamHandle {
  /** Given, or node:net's answer (`address()`), made an address when first asked for. */
  #local: SocketAddress | Partial<net.AddressInfo>;
  /** Given, or made from node:net's copy when first asked for (see tcpStream). */
  #remote: SocketAddress | undefined;
  readonly #secure: Secure | undefined;

  get localAddress(): SocketAddress {
    const local = this.#local;
    if ("transport" in local) return local;
    return (this.#local = inetAddress("tcp", local.address, local.port));
  }

  get remoteAddress(): SocketAddress {
    const socket = this.#socket;
    return (this.#remote ??= inetAddress("tcp", socket.remoteAddress, socket.remotePort));
  }

  get tls(): TlsInfo | undefined {
    return this.#secure?.info;
  }

  /**
   * On a TLS stream: node:tls encrypts what write() is given before it returns (SSL_write in
   * TLSWrap::DoWrite), or copies it when OpenSSL cannot take it yet (a renegotiation under
   * way), and writes its own ciphertext after; so core may hand over the caller's bytes.
   * https://github.com/nodejs/node/blob/main/src/crypto/crypto_tls.cc
   * Only while nothing is in flight: a write meanwhile would wait in the stream's buffer, a
   * reference to the caller's bytes (see write()). node:net, by contrast, writes from the
   * caller's memory later when the kernel is full.
   */
  get keepsNothing(): boolean {
    return this.#secure !== undefined;
  }

  readonly #socket: net.Socket;
  /** Core's, from start(); `closedEarly` when the connection closed before it. */
  #sink: StreamSink | undefined;
  #error: SocketError | undefined;
  /** `#wrote` bound, for node:net's write callback (see #whenWritten). */
  #afterWrite: ((error?: Error | null) => void) | undefined;

  /** A peer's address not given is a TCP socket's, read by node:net already (see tcpStream). */
  constructor(
    socket: net.Socket,
    localAddress: SocketAddress | Partial<net.AddressInfo>,
    remoteAddress: SocketAddress | undefined,
    tls?: TlsInfo,
    raw?: net.Socket,
  ) {
    this.#socket = socket;
    this.#local = localAddress;
    this.#remote = remoteAddress;
    this.#secure = tls ? { info: tls, raw, closeTimer: undefined } : undefined;
    (socket as Tagged)[handleOf] = this;
    if (raw) {
      // Its errors are this connection's too (once: after a STARTTLS it is already listened to).
      (raw as Tagged)[handleOf] = this;
      raw.off("error", NodeStream.#onError).on("error", NodeStream.#onError);
    }
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

  // Node emits 'close' once, after any 'error': the one place the sink's close is called.
  static #onClose(this: Tagged): void {
    const stream = this[handleOf];
    clearTimeout(stream.#secure?.closeTimer);
    if (stream.#sink) stream.#sink[sinkClose](stream.#error);
    else stream.#sink = closedEarly;
  }

  // Plain Uint8Array views, so user code sees the same type on every runtime.
  static #onData(this: Tagged, chunk: Buffer): void {
    this[handleOf].#sink![sinkData](
      new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength),
    );
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
    const tcp = stream.remoteAddress.transport !== "unix" && stream.#secure === undefined;
    if (tcp && !this.writableEnded && this.writableLength === 0) this.write(empty);
    if (!this.errored) stream.#sink![sinkEnd]();
  }

  start(sink: StreamSink): void {
    const socket = this.#socket;
    const closed = this.#sink === closedEarly;
    this.#sink = sink;
    socket.on("data", NodeStream.#onData);
    // node:net's own 'end' listener (onReadableStreamEnd in lib/net.js) acts only without
    // allowHalfOpen, which omnisock always sets (nodeDefaults). Ours takes its place: two
    // listeners of one event would be an array of them, 64 B on each connection.
    const [own, ...more] = socket.listeners("end");
    if (socket.allowHalfOpen && more.length === 0 && own?.name === "onReadableStreamEnd") {
      socket.off("end", own as () => void);
    }
    socket.on("end", NodeStream.#onEnd);
    if (closed) sink[sinkClose](this.#error);
    else socket.resume();
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
    // A TLS write's bytes must go through node:tls now (keepsNothing). Core never writes while
    // the last write is in flight (busy); were it to, nothing would be taken, and drain follows.
    if (this.keepsNothing && socket.writableLength > 0) return 0;
    if (this.#secure !== undefined) {
      // Not the empty write here: queued on a TLS socket, it kept reset() from sending an RST
      // (conformance: "reset() of a TLS socket").
      socket.write(data, NodeStream.#whenWritten(this));
    } else {
      // Node kept bytes (the kernel took less at once): an empty write queued behind them
      // calls back once they are out. Not a callback on every write: with one, Node schedules
      // a process.nextTick for each write, even one the kernel took whole (Writable's onwrite).
      socket.write(data);
      if (socket.writableLength > 0 && !socket.destroyed) {
        socket.write(empty, NodeStream.#whenWritten(this));
      }
    }
    return socket.destroyed || socket.errored ? 0 : data.length;
  }

  /**
   * `#wrote` bound, made at the first use, not per connection. Not made in write() itself: a
   * closure there would cost write() a context object on every call, made or not.
   */
  static #whenWritten(stream: NodeStream): (error?: Error | null) => void {
    return (stream.#afterWrite ??= (error) => NodeStream.#wrote(stream, error));
  }

  // The callback runs once the bytes written before it are in the kernel; a failed write also
  // emits 'error', which closes the socket, so the error itself is not needed here.
  static #wrote(stream: NodeStream, error: Error | null | undefined): void {
    if (!error && stream.#socket.writableLength === 0) stream.#sink?.[sinkDrain]();
  }

  get busy(): boolean {
    return this.#socket.writableLength > 0;
  }

  async startTls(options: NormalizedTlsClientOptions): Promise<StreamHandle> {
    const socket = NodeStream.#detach(this);
    const secure = await secureClient(socket, options).catch((error: unknown) => {
      throw toSocketError(error, { syscall: "handshake", address: this.remoteAddress });
    });
    return NodeStream.#secured(this, secure, options.servername, socket);
  }

  startTlsServer(options: NormalizedTlsServerOptions): Promise<StreamHandle> {
    const socket = NodeStream.#detach(this);
    return new Promise((resolve, reject) => {
      // Through a tls.Server made as listen() makes one, never listening: Node verifies a
      // client's certificate in tls.Server's own handling of a connection ('secure' of a
      // TLSSocket made by hand fires even for a certificate its CA did not sign).
      const server = tls.createServer(tlsServerOptions(options));
      server.on("tlsClientError", (error: Error, secure: tls.TLSSocket) => {
        secure.destroy();
        const address = this.remoteAddress;
        reject(toSocketError(refusal(secure) ?? error, { syscall: "handshake", address }));
      });
      server.once("secureConnection", (secure: tls.TLSSocket) => {
        resolve(NodeStream.#secured(this, secure, undefined, socket));
      });
      server.emit("connection", socket);
    });
  }

  /**
   * STARTTLS: this handle lets go of its TCP socket, which node:tls reads and writes from now on.
   * Its 'error' listener stays, so that an error meanwhile is never unhandled.
   */
  static #detach(stream: NodeStream): net.Socket {
    const socket = stream.#socket;
    socket.off("data", NodeStream.#onData);
    socket.off("end", NodeStream.#onEnd);
    socket.off("close", NodeStream.#onClose);
    stream.#sink = undefined;
    return socket;
  }

  static #secured(
    stream: NodeStream,
    secure: tls.TLSSocket,
    servername: string | undefined,
    raw: net.Socket,
  ): NodeStream {
    return new NodeStream(
      secure,
      stream.localAddress,
      stream.remoteAddress,
      tlsInfo(secure, servername),
      raw,
    );
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
    const socket = this.#socket;
    const secure = this.#secure;
    if (!secure) return void socket.destroy();
    socket.destroySoon();
    // Bounded: end() waits until node:tls has written everything it holds, which a peer that
    // reads nothing never lets it (after an idle timeout or an abort, core has not flushed).
    if (!socket.destroyed && secure.closeTimer === undefined) {
      secure.closeTimer = setTimeout(() => socket.destroy(), tlsCloseLimit).unref();
    }
  }

  reset(): void {
    // resetAndDestroy() throws on a Unix socket, which has no RST. While a shutdown (FIN) is
    // in flight, libuv refuses the RST (uv_tcp_close_reset: EINVAL) and Node then never
    // emits 'close', so the socket would hang open: close it instead; the FIN is sent anyway.
    // https://docs.libuv.org/en/v1.x/tcp.html#c.uv_tcp_close_reset
    // A TLSSocket cannot send one either (resetAndDestroy throws ERR_INVALID_HANDLE_TYPE): the
    // TCP socket under it can, and its close then closes the TLS one.
    const socket = this.#socket;
    const tcp = this.#secure ? this.#secure.raw : socket;
    const shuttingDown = socket.writableEnded && !socket.writableFinished;
    if (this.remoteAddress.transport === "unix" || !tcp || tcp.destroyed || shuttingDown) {
      socket.destroy();
    } else {
      tcp.resetAndDestroy();
    }
  }

  setNoDelay(enable: boolean): void {
    // On the TCP socket under a TLS one: a TLSSocket keeps its own idea of TCP_NODELAY, false
    // whatever the TCP socket has (tls.connect ignores noDelay, nodejs/node#62003), and skips
    // setNoDelay(false) as a no-op.
    (this.#secure?.raw ?? this.#socket).setNoDelay(enable);
  }

  setKeepAlive(enable: boolean, delayMs: number | undefined): void {
    // On the TCP socket under a TLS one, for the same reason as setNoDelay: a TLSSocket skips
    // setKeepAlive(false) as a no-op. 0 leaves the system's delay in place.
    (this.#secure?.raw ?? this.#socket).setKeepAlive(enable, delayMs ?? 0);
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

/**
 * A TCP stream; its addresses are read now, so that they stay readable after close. A TLS
 * one comes with the TCP socket under it (`raw`). Where an address is known without asking
 * the kernel, it is passed in: an accepted connection's local end is its listener's address
 * when that is not a wildcard (`acceptedLocal`), a client's peer is often its target
 * (`connectedPeer`). Each spares a system call, and the copy node:net would keep of its answer.
 * An address read from the kernel is node:net's copy, which it keeps: the stream makes its own
 * object of it only when asked, one object fewer per connection. node:net answers with the
 * peer's after close (`_getpeername` in lib/net.js), not with its own (`_getsockname`): of
 * that the stream keeps what `address()` returns, node:net's copy itself.
 */
function tcpStream(
  socket: net.Socket,
  servername?: string,
  raw?: net.Socket,
  { local, remote }: { local?: SocketAddress | undefined; remote?: SocketAddress | undefined } = {},
): NodeStream {
  // node:net asks the kernel for the peer's name on first use and caches it: ask now, while the
  // socket is open, so that the stream's lazy remoteAddress has it after close too.
  if (remote === undefined) void socket.remoteFamily;
  return new NodeStream(
    socket,
    local ?? socket.address(),
    remote,
    socket instanceof tls.TLSSocket ? tlsInfo(socket, servername) : undefined,
    raw,
  );
}

/**
 * Why node:tls dropped a client during the handshake: with requestCert, a certificate that
 * fails verification is destroyed without an error, and tlsClientError then only says
 * "socket hang up"; `authorizationError` has the verifier's code (UNABLE_TO_VERIFY_…), a
 * string whatever @types/node says.
 */
function refusal(secure: tls.TLSSocket): Error | undefined {
  const code = secure.authorizationError as unknown as string | null | undefined;
  if (!code) return undefined;
  return Object.assign(new Error(`the client's certificate was refused: ${code}`), { code });
}

export function connect(
  options: NormalizedConnectOptions,
  signal: AbortSignal | undefined,
): Promise<StreamHandle> {
  const { target, tls: tlsOptions } = options;
  return new Promise((resolve, reject) => {
    const fail = (error: unknown): void => {
      signal?.removeEventListener("abort", onAbort);
      socket.destroy();
      reject(toSocketError(error, { syscall: "connect", address: target }));
    };
    const onAbort = (): void => fail(signal?.reason);
    if (signal?.aborted) {
      return reject(toSocketError(signal.reason, { syscall: "connect", address: target }));
    }
    // sendBufferSize / receiveBufferSize never get here: capabilities.streamBufferSize is false.
    // TLS goes over a TCP socket made here, not tls.connect's own: reset() needs it for its RST.
    const socket =
      target.transport === "unix"
        ? net.connect({ ...nodeDefaults(options), path: kernelPath(target) })
        : net.connect({
            ...nodeDefaults(options),
            // An IP literal: core resolved the name and races the addresses itself.
            host: target.hostname,
            port: target.port,
            localAddress: options.localAddress,
          });
    // Stays attached on failure, so that a late error can never go unhandled.
    socket.on("error", fail);
    const peer = target.transport === "unix" ? undefined : connectedPeer(target);
    const settle = (handle: NodeStream): void => {
      signal?.removeEventListener("abort", onAbort);
      socket.off("error", fail);
      resolve(handle);
    };
    socket.once("connect", () => {
      if (target.transport === "unix") settle(new NodeStream(socket, unixAddress(""), target));
      else if (!tlsOptions) settle(tcpStream(socket, undefined, undefined, { remote: peer }));
      // A TLS connection is up once its handshake is over and the server verified.
      else
        secureClient(socket, tlsOptions).then(
          (secure) => settle(tcpStream(secure, tlsOptions.servername, socket, { remote: peer })),
          fail,
        );
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
      const local = acceptedLocal(address);
      server.on(options.tls ? "secureConnection" : "connection", (socket: net.Socket) => {
        sink.connection(
          address.transport === "unix"
            ? new NodeStream(socket, address, unixAddress(""))
            : socket instanceof tls.TLSSocket
              ? tcpStream(socket, undefined, parentOf(socket), { local })
              : tcpStream(socket, undefined, undefined, { local }),
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
