// A node:net `Socket` over omnisock's engine: a real `stream.Duplex` whose bytes move through
// the running runtime's omnisock driver (node:net on Node, Bun.connect on Bun, Deno.connect on
// Deno), never through the runtime's node:net compatibility layer. The events, their order and
// the properties are node:net's, as the protocol drivers (postgres.js, node-postgres, mysql2,
// ioredis, MQTT.js) read them.
import { Buffer } from "node:buffer";
import { nextTick } from "node:process";
import { Duplex } from "node:stream";
import { SocketError } from "@omnisock/core";
import type {
  ConnectOptions,
  ConnectTarget,
  InetAddress,
  Socket as OmnisockSocket,
  TlsClientOptions,
} from "@omnisock/core";
import { runtime } from "../runtime.js";
import {
  checkDelay,
  type ConnectionListener,
  connectArguments,
  connectRequest,
  type SocketConnectOpts,
} from "./args.js";
import {
  alreadyConnecting,
  closedBeforeConnection,
  endedByPeer,
  invalidArgType,
  socketClosed,
} from "./errors.js";

/** What `new Socket()` takes. */
export interface SocketConstructorOpts {
  /**
   * Keep the socket writable after the peer's FIN; when `false`, `end()` follows `'end'`.
   * @default false — as in node:net.
   */
  allowHalfOpen?: boolean;
  /**
   * Bytes buffered for reading, and waiting to be sent, at which reading pauses and `write()`
   * returns `false`: the stream's and omnisock's own `highWaterMark` alike.
   * @default 65536 — omnisock's; node:net's is 16384 before Node 22.
   */
  highWaterMark?: number;
  /**
   * TCP_NODELAY once connected.
   * @default true — omnisock's default; node:net's is `false`.
   */
  noDelay?: boolean;
}

/** What `address()` returns for a TCP socket, as node:net has it. */
export interface AddressInfo {
  /** The IP address. */
  address: string;
  /** `"IPv4"` or `"IPv6"`. */
  family: string;
  /** The port. */
  port: number;
}

/** A `write()` waiting for the connection, or for the upgrade's go-ahead. */
interface PendingWrite {
  readonly data: Buffer;
  readonly callback: (error?: Error | null) => void;
}

/**
 * Below this size omnisock's `write()` copies the bytes (see omnisock's `Socket.write`), so a
 * write's callback may run at once; a larger chunk is sent from the caller's own memory, which
 * the caller may reuse once the callback runs: that waits until it has reached the kernel.
 */
const COPIED_BELOW = 16 * 1024;

const empty = Buffer.alloc(0);

/**
 * The chunk as a Buffer, without a copy: it becomes one (Buffer is a Uint8Array subclass, so
 * only its prototype changes), and it is this stream's alone. Not `Buffer.from(chunk.buffer,
 * …)`: on Bun, reading `.buffer` of the Uint8Arrays it hands out makes JavaScriptCore create
 * their ArrayBuffer, ~1 µs a chunk, a fifth of what a small round trip costs the shim there.
 */
function asBuffer(chunk: Uint8Array): Buffer {
  return chunk instanceof Buffer
    ? chunk
    : (Object.setPrototypeOf(chunk, Buffer.prototype) as Buffer);
}

/** A user's listener that throws is the program's error, not the stream's: thrown, as node:net would, outside any promise. */
function rethrow(error: unknown): void {
  nextTick(() => {
    throw error;
  });
}

/** @internal Lets `startTls()` hand the connection from the plain socket to the TLS one. */
export const upgrade = Symbol("omnisock.net.upgrade");
/** @internal The omnisock socket under a shim socket: TLS details for TLSSocket. */
export const engine = Symbol("omnisock.net.engine");

/**
 * node:net's `Socket`, over omnisock's engine: a real `stream.Duplex`.
 *
 * `new Socket()` then `connect(port, host?)`, `connect(path)` or `connect(options)`; or
 * `createConnection(…)`. Events in node:net's order: `'connect'`, `'ready'`, `'data'`,
 * `'end'`, `'finish'`, `'close'` (with `hadError`); `'error'` before `'close'`; `'drain'`;
 * `'timeout'` after `setTimeout(ms)` of inactivity (the socket stays open, as in node:net).
 *
 * Reading is omnisock's `read(handler)`, held back while the stream is full, so a paused socket
 * pushes back on the peer through the kernel; `startTls()` stops it after the chunk being
 * handled, leaving whatever follows to the TLS socket.
 *
 * **Note:** a Socket connects once: node:net lets a closed Socket `connect()` again, here that
 * is `ENOTSUP` (make a new one). Not supported: `new Socket({ fd })`, `'lookup'`, `bufferSize`,
 * `destroySoon()`. A network error is omnisock's `SocketError`: its `code` is node's
 * (`ECONNREFUSED`, `ECONNRESET`, `ETIMEDOUT`, `ENOTFOUND`, …), its `address` an omnisock
 * address object rather than node's string, and it has no `errno`.
 */
export class Socket extends Duplex {
  #core: OmnisockSocket | undefined;
  #connecting = false;
  readonly #highWaterMark: number;
  #noDelay: boolean;
  /** `setKeepAlive()`'s arguments, the delay in whole seconds as node:net takes it. */
  #keepAlive: { enable: boolean; seconds: number } | undefined;
  #refed = true;
  /** An RST rather than a FIN when this socket is destroyed (`resetAndDestroy()`). */
  #reset = false;

  // Reading.
  /**
   * omnisock's `read(handler)` under way, settled (never rejected) once it is over. Not its
   * iterator: that costs a promise and two microtask hops per chunk, on top of the stream's.
   */
  #reading: Promise<void> | undefined;
  /** Stops `#reading` after the chunk being handled: the upgrade takes the connection over. */
  #stopReading: AbortController | undefined;
  /** Resolves the promise that holds `#reading` back until the stream wants more data. */
  #wanted: (() => void) | undefined;
  /**
   * Every chunk waits for the stream to want more, as an iterator's read would: where a read
   * left pending blocks STARTTLS (`capabilities.tlsUpgradeBeforeData`, Deno), a driver that
   * upgrades once a promise resolved in its 'data' listener (postgres.js) must find none.
   */
  #paced = false;
  /** The stream asked for data before the connection was up. */
  #wantsData = false;
  #bytesRead = 0;
  /** The peer's FIN has been read and this socket is not half-open: writes are EPIPE, as in node:net. */
  #endedByPeer = false;

  // Writing.
  #bytesSent = 0;
  /** Bytes handed to omnisock whose write callback waits for them to reach the kernel. */
  #unconfirmed = 0;
  #pendingWrite: PendingWrite | undefined;
  #pendingFinal: ((error?: Error | null) => void) | undefined;

  // setTimeout(): node:net's idle timer, which emits 'timeout' and leaves the socket open.
  #timeout = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastActive = 0;

  // STARTTLS: the plain socket and the TLS one it was handed to (`startTls()`). From the
  // moment `#upgradedTo` is set the plain socket reads nothing more; once `#handedOver`, it
  // writes nothing more either.
  #upgradedTo: Socket | undefined;
  #upgradedFrom: Socket | undefined;
  #handedOver = false;

  constructor(options: SocketConstructorOpts = {}) {
    if (typeof options !== "object" || options === null) {
      throw invalidArgType("options", "of type object", options);
    }
    const highWaterMark = options.highWaterMark ?? 65_536;
    super({
      allowHalfOpen: options.allowHalfOpen ?? false,
      highWaterMark,
      // node:net emits 'close' itself, with `hadError`, once the connection is really gone.
      emitClose: false,
    });
    this.#highWaterMark = highWaterMark;
    this.#noDelay = options.noDelay ?? true;
    // Registered first, as node:net does, so that a user's 'end' listener already writes into
    // a socket that answers EPIPE.
    this.on("end", () => {
      if (!this.allowHalfOpen) this.#endedByPeer = true;
    });
  }

  // ---- connecting ----

  /**
   * Connect: `connect(port[, host][, listener])`, `connect(path[, listener])` or
   * `connect(options[, listener])`. `host` defaults to `"localhost"`. The listener is added
   * for `'connect'`. Failures are `'error'` events, then `'close'` with `hadError` true.
   */
  connect(options: SocketConnectOpts, connectionListener?: ConnectionListener): this;
  connect(port: number, host: string, connectionListener?: ConnectionListener): this;
  connect(port: number, connectionListener?: ConnectionListener): this;
  connect(path: string, connectionListener?: ConnectionListener): this;
  connect(...args: unknown[]): this {
    const [options, listener] = connectArguments(args);
    const request = connectRequest(options as Record<string, unknown>);
    if (this.#connecting) throw alreadyConnecting();
    if (this.#core !== undefined || this.destroyed) {
      throw new SocketError(
        "ENOTSUP",
        "connect() on a Socket that has connected before is not supported (node:net reconnects it): make a new Socket",
        { syscall: "connect" },
      );
    }
    if (listener) this.once("connect", listener);
    this.#connecting = true;
    if (request.timeout !== undefined) this.setTimeout(request.timeout);
    let target: ConnectTarget;
    const settings: ConnectOptions = {
      highWaterMark: this.#highWaterMark,
      // Half-closing is the stream's business (allowHalfOpen above): omnisock must not end
      // the socket on the peer's FIN while a reply may still be written.
      allowHalfOpen: true,
    };
    if ("path" in request) {
      target = { path: request.path };
    } else {
      target = { hostname: request.host, port: request.port };
      if (request.family !== undefined) settings.family = request.family;
      if (request.localAddress !== undefined) settings.localAddress = request.localAddress;
      if (request.noDelay !== undefined) this.#noDelay = request.noDelay;
      if (request.keepAlive) this.setKeepAlive(true, request.keepAliveInitialDelay);
    }
    runtime()
      .connect(target, settings)
      .then(
        (socket) => this.#attach(socket, "connect"),
        (error: unknown) => this.#connectFailed(error),
      );
    return this;
  }

  /** The connection is up (or the TLS handshake over): move the stream onto it. */
  #attach(socket: OmnisockSocket, event: "connect" | "secureConnect"): void {
    this.#connecting = false;
    if (this.destroyed) {
      // Destroyed while connecting: the connection is not wanted any more.
      void socket.close();
      return;
    }
    this.#core = socket;
    const { tlsUpgrade, tlsUpgradeBeforeData } = runtime().capabilities;
    this.#paced = tlsUpgrade && !tlsUpgradeBeforeData && !socket.secure;
    socket.closed.catch((error: unknown) => this.#lost(socket, error));
    // omnisock's default is TCP_NODELAY on: only the opposite needs a call.
    if (!this.#noDelay) socket.setNoDelay(false);
    if (this.#keepAlive) this.#applyKeepAlive(socket, this.#keepAlive);
    if (!this.#refed) socket.unref();
    this.#emitSafely(event);
    if (event === "connect") this.#emitSafely("ready");
    const write = this.#pendingWrite;
    this.#pendingWrite = undefined;
    if (write) this.#send(socket, write.data, write.callback);
    const final = this.#pendingFinal;
    this.#pendingFinal = undefined;
    if (final) this._final(final);
    // node:net starts reading at once unless paused, so that an early FIN is noticed.
    if (this.#wantsData) {
      this.#wantsData = false;
      this._read();
    } else if (!this.isPaused()) {
      this.read(0);
    }
  }

  #connectFailed(error: unknown): void {
    this.#connecting = false;
    if (!this.destroyed) this.destroy(error as Error);
  }

  /** omnisock ended the connection with an error while nobody was reading. */
  #lost(socket: OmnisockSocket, error: unknown): void {
    if (this.#core === socket && !this.#upgradedTo && !this.destroyed) this.destroy(error as Error);
  }

  #emitSafely(event: string): void {
    try {
      this.emit(event);
    } catch (error) {
      rethrow(error);
    }
  }

  // ---- reading ----

  /** @internal The stream wants data: omnisock's reading starts, or goes on if held back. */
  override _read(): void {
    const wanted = this.#wanted;
    if (wanted !== undefined) {
      this.#wanted = undefined;
      wanted();
      return;
    }
    if (this.#reading || this.#upgradedTo) return;
    const socket = this.#core;
    if (socket === undefined) {
      this.#wantsData = true;
      return;
    }
    const stop = new AbortController();
    this.#stopReading = stop;
    this.#reading = socket
      .read(this.#onChunk, { signal: stop.signal })
      .then(this.#onEnd, this.#onReadError);
  }

  /** A chunk from omnisock: a promise holds the next one back until the stream wants it. */
  readonly #onChunk = (chunk: Uint8Array): Promise<void> | undefined => {
    if (this.destroyed) return undefined;
    this.#bytesRead += chunk.byteLength;
    this.#touch();
    let more = false;
    try {
      more = this.push(asBuffer(chunk));
    } catch (error) {
      // A 'data' listener threw.
      rethrow(error);
    }
    // Upgrading (from the 'data' listener): nothing to hold back, the signal stops the reading.
    if ((more && !this.#paced) || this.#upgradedTo) return undefined;
    return new Promise((resolve) => (this.#wanted = resolve));
  };

  /** The peer's FIN, or the reading stopped for the upgrade. */
  readonly #onEnd = (): void => {
    if (this.#upgradedTo || this.destroyed) return;
    try {
      // As node:net does: 'end' is emitted even when nobody consumes the stream.
      this.push(null);
      this.read(0);
    } catch (error) {
      // An 'end' listener threw.
      rethrow(error);
    }
  };

  readonly #onReadError = (error: unknown): void => {
    if (!this.#upgradedTo && !this.destroyed) this.destroy(error as Error);
  };

  // ---- writing ----

  /**
   * Write `data` (a string is encoded with `encoding`, UTF-8 by default). Returns `false` once
   * the bytes waiting to be sent reach `highWaterMark`: wait for `'drain'`. Nothing is
   * dropped. `callback` runs once the bytes are handed on (or fail). After `end()` the write
   * fails with `ERR_STREAM_WRITE_AFTER_END`; after the peer's FIN, when not half-open, with
   * `EPIPE`, as in node:net.
   */
  override write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    if (this.#endedByPeer && this.writableEnded) {
      const done = typeof encoding === "function" ? encoding : callback;
      const error = endedByPeer();
      if (typeof done === "function") nextTick(done as (error: Error) => void, error);
      this.destroy(error);
      return false;
    }
    return super.write(
      chunk,
      encoding as BufferEncoding,
      callback as (error?: Error | null) => void,
    );
  }

  /** @internal The stream's write: to omnisock, or held until the connection is up. */
  override _write(
    data: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    const socket = this.#core;
    if (socket === undefined || this.#connecting) this.#pendingWrite = { data, callback };
    else this.#send(socket, data, callback);
  }

  /** @internal Writes gathered by `cork()` (or while a write waited) leave as one omnisock write. */
  override _writev(
    chunks: { chunk: Buffer; encoding: BufferEncoding }[],
    callback: (error?: Error | null) => void,
  ): void {
    const data =
      chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map(({ chunk }) => chunk));
    this._write(data, "buffer" as BufferEncoding, callback);
  }

  #send(socket: OmnisockSocket, data: Buffer, callback: (error?: Error | null) => void): void {
    if (this.#handedOver) {
      // The connection belongs to the TLS socket now: plaintext would corrupt it.
      callback(socketClosed());
      return;
    }
    let room: boolean;
    try {
      room = socket.write(data);
    } catch (error) {
      callback(error as Error);
      return;
    }
    this.#bytesSent += data.byteLength;
    this.#touch();
    if (room && data.byteLength < COPIED_BELOW) {
      callback();
      return;
    }
    const length = data.byteLength;
    this.#unconfirmed += length;
    const done = (error?: Error | null) => {
      this.#unconfirmed -= length;
      callback(error);
    };
    socket.flush().then(() => done(), done);
  }

  /** @internal `end()`: half-close once everything written is sent. */
  override _final(callback: (error?: Error | null) => void): void {
    const socket = this.#core;
    if (socket === undefined || this.#connecting) {
      this.#pendingFinal = callback;
      return;
    }
    if (this.#handedOver) {
      callback();
      return;
    }
    socket.end().then(() => callback(), callback);
  }

  // ---- closing ----

  /** @internal `destroy()`: close the connection (or reset it, with bytes still unsent). */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#stopTimer();
    const write = this.#pendingWrite;
    this.#pendingWrite = undefined;
    write?.callback(closedBeforeConnection());
    this.#pendingFinal = undefined;
    const hadError = error !== null && error !== undefined;
    const emitClose = () => nextTick(() => this.emit("close", hadError));
    callback(error);
    // Destroying either side of an upgrade ends both, as node:tls ties a TLSSocket to its socket.
    this.#upgradedTo?.destroy();
    this.#upgradedFrom?.destroy();
    const socket = this.#core;
    // While upgrading, the connection is the TLS socket's to close.
    if (socket === undefined || this.#upgradedTo || socket.state === "closed") {
      emitClose();
      return;
    }
    // node:net's destroy() sends a FIN and drops what is unsent; omnisock's close() would send
    // it first, so with bytes still queued the connection is reset instead.
    const closing = this.#reset || socket.writableLength > 0 ? socket.reset() : socket.close();
    closing.then(emitClose, emitClose);
  }

  /** Close with an RST (where the runtime can: see omnisock's `capabilities.reset`). */
  resetAndDestroy(): this {
    this.#reset = true;
    return this.destroy();
  }

  // ---- state ----

  /** `true` from `connect()` until the connection is up (or has failed). */
  get connecting(): boolean {
    return this.#connecting;
  }

  /** `true` until connected, and again once closed. */
  get pending(): boolean {
    return this.#core === undefined || this.#connecting || this.destroyed;
  }

  /** node:net's `"opening" | "open" | "readOnly" | "writeOnly" | "closed"`. */
  get readyState(): "opening" | "open" | "readOnly" | "writeOnly" | "closed" {
    if (this.#connecting) return "opening";
    if (this.readable && this.writable) return "open";
    if (this.readable) return "readOnly";
    if (this.writable) return "writeOnly";
    return "closed";
  }

  /** Bytes received. */
  get bytesRead(): number {
    return this.#bytesRead;
  }

  /** Bytes accepted by `write()`, sent or still waiting, as node:net counts them. */
  get bytesWritten(): number {
    // The stream's length counts every byte whose write has not called back yet, some of
    // which omnisock already has (and were counted when handed over).
    return this.#bytesSent + this.writableLength - this.#unconfirmed;
  }

  /** The `setTimeout()` delay in milliseconds; `undefined` when none is set. */
  get timeout(): number | undefined {
    return this.#timeout === 0 ? undefined : this.#timeout;
  }

  /** The peer's IP address; `undefined` before connecting and for a Unix socket. */
  get remoteAddress(): string | undefined {
    return this.#inet("remoteAddress")?.hostname;
  }

  /** The peer's port; `undefined` before connecting and for a Unix socket. */
  get remotePort(): number | undefined {
    return this.#inet("remoteAddress")?.port;
  }

  /** `"IPv4"` or `"IPv6"`; `undefined` before connecting and for a Unix socket. */
  get remoteFamily(): string | undefined {
    return this.#inet("remoteAddress")?.family;
  }

  /** This end's IP address; `undefined` before connecting and for a Unix socket. */
  get localAddress(): string | undefined {
    return this.#inet("localAddress")?.hostname;
  }

  /** This end's port; `undefined` before connecting and for a Unix socket. */
  get localPort(): number | undefined {
    return this.#inet("localAddress")?.port;
  }

  /** `"IPv4"` or `"IPv6"`; `undefined` before connecting and for a Unix socket. */
  get localFamily(): string | undefined {
    return this.#inet("localAddress")?.family;
  }

  /** The local end, `{ address, family, port }`; `{}` before connecting and for a Unix socket. */
  address(): AddressInfo | Record<string, never> {
    const address = this.#inet("localAddress");
    if (address === undefined) return {};
    return { address: address.hostname, family: address.family, port: address.port };
  }

  /** One end's IP address; none before connecting, nor for a Unix socket (as in node:net). */
  #inet(end: "localAddress" | "remoteAddress"): InetAddress | undefined {
    const address = this.#core?.[end];
    return address?.transport === "unix" ? undefined : address;
  }

  // ---- options ----

  /** TCP_NODELAY; applied once connected when called before. */
  setNoDelay(noDelay = true): this {
    this.#noDelay = Boolean(noDelay);
    const socket = this.#live();
    if (socket) socket.setNoDelay(this.#noDelay);
    return this;
  }

  /**
   * TCP keepalive, the first probe after `initialDelay` ms of silence (whole seconds, as in
   * node:net; `0` leaves the system's delay). Applied once connected when called before.
   * **Note:** where the runtime cannot set the delay (`capabilities.keepAliveDelay`, Deno)
   * keepalive is turned on with the system's delay, and on a TLS socket where the runtime's
   * TLS connections have no keepalive (`capabilities.tlsKeepAlive`, Deno) it does nothing:
   * node:net's `setKeepAlive` never throws, and drivers call it on every connection
   * (postgres.js on the TLS socket its SSL hook returns).
   */
  setKeepAlive(enable = false, initialDelay = 0): this {
    // Coerced, not checked, as node:net does: drivers pass what they have.
    this.#keepAlive = {
      enable: Boolean(enable),
      seconds: Math.trunc(Number(initialDelay) / 1000) || 0,
    };
    const socket = this.#live();
    if (socket) this.#applyKeepAlive(socket, this.#keepAlive);
    return this;
  }

  #applyKeepAlive(
    socket: OmnisockSocket,
    { enable, seconds }: { enable: boolean; seconds: number },
  ) {
    const { keepAliveDelay, tlsKeepAlive } = runtime().capabilities;
    if (socket.secure && !tlsKeepAlive) return;
    socket.setKeepAlive(
      enable,
      enable && seconds > 0 && keepAliveDelay ? seconds * 1000 : undefined,
    );
  }

  /**
   * Emit `'timeout'` after `timeout` ms without a byte read or written; `0` turns it off.
   * The socket stays open: end or destroy it in the listener, as with node:net. `callback`
   * is added as a `'timeout'` listener (removed when `timeout` is 0). Counts while connecting.
   */
  setTimeout(timeout: number, callback?: () => void): this {
    const delay = checkDelay("msecs", timeout);
    if (callback !== undefined && typeof callback !== "function") {
      throw invalidArgType("callback", "of type function", callback);
    }
    if (this.destroyed) return this;
    this.#timeout = delay;
    this.#stopTimer();
    if (delay === 0) {
      if (callback) this.removeListener("timeout", callback);
      return this;
    }
    if (callback) this.once("timeout", callback);
    this.#lastActive = performance.now();
    this.#startTimer(delay);
    return this;
  }

  #startTimer(ms: number): void {
    const timer = setTimeout(this.#onTimer, ms);
    // As node:net's socket timer, it does not keep the process alive.
    (timer as { unref?: () => void }).unref?.();
    this.#timer = timer;
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  // Restarting a timer on every chunk costs; the timer checks the last activity when it fires.
  readonly #onTimer = (): void => {
    this.#timer = undefined;
    if (this.#timeout === 0 || this.destroyed) return;
    const idle = performance.now() - this.#lastActive;
    // Once per idle spell, as in node:net: the next 'timeout' needs activity first.
    if (idle >= this.#timeout) this.#emitSafely("timeout");
    else this.#startTimer(Math.ceil(this.#timeout - idle));
  };

  /** A byte was read or written. */
  #touch(): void {
    if (this.#timeout === 0) return;
    this.#lastActive = performance.now();
    if (this.#timer === undefined) this.#startTimer(this.#timeout);
  }

  /** Let the process exit while this socket is open; applied once connected when called before. */
  unref(): this {
    this.#refed = false;
    this.#live()?.unref();
    return this;
  }

  /** Keep the process alive while this socket is open (the default); undoes `unref()`. */
  ref(): this {
    this.#refed = true;
    this.#live()?.ref();
    return this;
  }

  /** The omnisock socket, once connected and until closed. */
  #live(): OmnisockSocket | undefined {
    const socket = this.#core;
    return socket !== undefined && !this.#connecting && socket.state !== "closed"
      ? socket
      : undefined;
  }

  // ---- STARTTLS ----

  /** @internal What TLS negotiated, for TLSSocket. */
  get [engine](): OmnisockSocket | undefined {
    return this.#core;
  }

  /**
   * @internal Hand this plain connection to `secure`, which becomes its TLS socket (see
   * `startTls()` in tls.ts). No read of omnisock's is in flight from here on.
   */
  [upgrade](secure: Socket, options: TlsClientOptions): void {
    if (this.#upgradedTo !== undefined) throw socketClosed();
    if (this.destroyed || (!this.#connecting && this.#core === undefined)) throw socketClosed();
    this.#upgradedTo = secure;
    secure.#upgradedFrom = this;
    // Inside a 'data' listener the reading stops once the chunk is handled; a chunk held back
    // waiting for the stream's demand is let go, to find the signal.
    this.#stopReading?.abort();
    this.#wanted?.();
    this.#wanted = undefined;
    secure.#connecting = true;
    secure.#noDelay = this.#noDelay;
    secure.#refed = this.#refed;
    if (this.#connecting) {
      this.once("connect", () => this.#handOver(secure, options));
    } else {
      this.#handOver(secure, options);
    }
  }

  #handOver(secure: Socket, options: TlsClientOptions): void {
    const socket = this.#core!;
    const unread = this.readableLength;
    // Writes the stream still holds go out as plaintext first, ahead of the handshake.
    const written = new Promise<void>((resolve) => {
      if (this.writableLength === 0 || this.writableEnded) resolve();
      else super.write(empty, () => resolve());
    });
    // omnisock's startTls() wants the reading over; what arrives after it stays in omnisock,
    // which refuses it as plaintext nobody read.
    Promise.all([written, this.#reading])
      .then(() => {
        this.#handedOver = true;
        if (unread > 0) {
          void socket.reset();
          throw new SocketError(
            "ETLS",
            "refusing to start TLS: plaintext arrived after the server's answer and is unread",
            { syscall: "startTls", address: socket.remoteAddress },
          );
        }
        return socket.startTls(options);
      })
      .then(
        (tls) => secure.#attach(tls, "secureConnect"),
        (error: unknown) => secure.#connectFailed(error),
      );
  }
}
