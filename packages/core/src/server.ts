import type { SocketAddress } from "./address.js";
import type { Platform } from "./capabilities.js";
import type { ServerHandle, ServerSink, StreamHandle } from "./driver.js";
import { SocketError } from "./error.js";
import { done, ReadQueue } from "./internal/read-queue.js";
import { asyncDispose, nextId } from "./internal/timer.js";
import { type Monitored, type MonitorEntry, monitor, monitorActive, report } from "./monitor.js";
import type { BroadcastOptions, NormalizedListenOptions, ServerCloseOptions } from "./options.js";
import { destroySocket, Socket, whenClosed } from "./socket.js";
import type { ServerStats } from "./types.js";
import {
  checkBoolean,
  checkData,
  checkOptionsObject,
  checkPositiveInteger,
  describeValue,
} from "./check.js";

/** Lets `openServer` hand a server the connections its driver accepted. */
const accept = Symbol("omnisock.accept");
/** Lets `openServer` hand a server its listener's errors. */
const listenerError = Symbol("omnisock.listenerError");
/** Lets `openServer` tell a server of a connection its driver dropped (a failed handshake). */
const rejectedConnection = Symbol("omnisock.rejected");

/**
 * Listen through the driver and make the server. What the driver accepts before the server
 * exists (it may, between resolving and our continuation) is handed over once it does.
 */
export async function openServer(
  listen: (sink: ServerSink) => Promise<ServerHandle>,
  options: NormalizedListenOptions,
  onConnection: ((socket: Socket) => unknown) | undefined,
  platform: Platform,
): Promise<Server> {
  let server: Server | undefined;
  const early: StreamHandle[] = [];
  const sink: ServerSink = {
    connection: (handle) => (server ? server[accept](handle) : early.push(handle)),
    error: (error) =>
      server ? server[listenerError](error) : report("accepting a connection", error),
    rejected: (error) => server?.[rejectedConnection](error),
  };
  let handle: ServerHandle;
  try {
    handle = await listen(sink);
  } catch (error) {
    for (const connection of early) connection.close();
    throw error;
  }
  server = new Server(handle, options, onConnection, platform);
  for (const connection of early) server[accept](connection);
  return server;
}

/**
 * A listening socket, from {@link Omnisock.listen}. Accepted connections go to the
 * `onConnection` callback given to `listen()`, or else to
 * `for await (const socket of server)`.
 *
 * `pause()` stops handing out connections: where the runtime can stop accepting they wait
 * in the kernel's backlog, elsewhere they are accepted and held, unread, until `resume()`.
 */
export class Server implements AsyncIterable<Socket>, Monitored {
  /** Unique in the process and never reused: the `id` of its monitor entry and events. */
  readonly id: number = nextId();
  /**
   * The address it listens on, with the port the system picked for port 0: pass it to
   * `connect()` as it is. Readable after close.
   */
  readonly address: SocketAddress;
  /**
   * Connections accepted and not yet closed (after `startTls`, the secure socket in place of
   * the plain one).
   */
  readonly connections: ReadonlySet<Socket>;
  /** Settles when the server has stopped listening and, for a graceful close, every connection is over. */
  readonly closed: Promise<void>;

  readonly #handle: ServerHandle;
  readonly #options: NormalizedListenOptions;
  readonly #platform: Platform;
  readonly #onConnection: ((socket: Socket) => unknown) | undefined;
  readonly #connections = new Set<Socket>();
  #maxConnections: number;
  #paused = false;
  #held: StreamHandle[] = [];
  readonly #accepted = new ReadQueue<Socket>("server");
  #listening = true;
  #closing: Promise<void> | undefined;
  readonly #resolveClosed: () => void;
  #accepts = 0;
  #refused = 0;
  readonly #openedAt = Date.now();
  #closedAt: number | undefined;

  /** @internal Servers come from `listen()`. */
  constructor(
    handle: ServerHandle,
    options: NormalizedListenOptions,
    onConnection: ((socket: Socket) => unknown) | undefined,
    platform: Platform,
  ) {
    this.#handle = handle;
    this.address = handle.address;
    this.#options = options;
    this.#platform = platform;
    this.#onConnection = onConnection;
    this.#maxConnections = options.maxConnections;
    this.connections = this.#connections;
    let resolveClosed!: () => void;
    this.closed = new Promise((resolve) => (resolveClosed = resolve));
    this.#resolveClosed = resolveClosed;
    monitor.add(this);
    if (monitorActive.value) {
      monitor.emit({
        type: "listen",
        id: this.id,
        kind: "server",
        time: Date.now(),
        localAddress: this.address,
      });
    }
    const signal = options.signal;
    if (signal) {
      const onAbort = () => void this.close({ graceful: false });
      signal.addEventListener("abort", onAbort, { once: true });
      void this.closed.then(() => signal.removeEventListener("abort", onAbort));
    }
  }

  /**
   * Connections beyond this many are closed as soon as they are accepted (and counted in
   * `stats.refused`); lowering it closes none that are open. A positive integer or `Infinity`;
   * setting anything else throws a TypeError or RangeError.
   * @default Infinity, or `listen`'s `maxConnections`
   */
  get maxConnections(): number {
    return this.#maxConnections;
  }

  /** Change the limit: a positive integer or `Infinity`. */
  set maxConnections(value: number) {
    this.#maxConnections =
      value === Infinity ? Infinity : checkPositiveInteger("maxConnections", value);
  }

  /** @internal */
  [listenerError](error: SocketError): void {
    report("accepting a connection", error, this);
  }

  /** @internal Counted as refused, and seen by the monitor; never the console (a peer's doing). */
  [rejectedConnection](error: SocketError): void {
    this.#refused++;
    if (monitorActive.value) {
      monitor.emit({
        type: "error",
        id: this.id,
        kind: "server",
        time: Date.now(),
        error,
        stage: "handshake",
      });
    }
  }

  /** The counters so far: a new object each time. */
  get stats(): ServerStats {
    return {
      accepted: this.#accepts,
      refused: this.#refused,
      openedAt: this.#openedAt,
      closedAt: this.#closedAt,
    };
  }

  /** `true` until `close()` is called. */
  get listening(): boolean {
    return this.#listening;
  }

  /** @internal */
  [accept](handle: StreamHandle): void {
    this.#accepts++;
    if (!this.#listening) {
      handle.close();
      return;
    }
    if (this.#connections.size + this.#held.length >= this.#maxConnections) {
      this.#refused++;
      handle.close();
      return;
    }
    if (this.#paused) this.#held.push(handle);
    else this.#deliver(handle);
  }

  readonly #forget = (socket: Socket, successor?: Socket): void => {
    this.#connections.delete(socket);
    if (successor) {
      // startTls: the same connection, now secure; it counts, closes and broadcasts as before.
      this.#connections.add(successor);
      successor[whenClosed] = this.#forget;
    } else if (this.#closing && this.#connections.size === 0) this.#finish();
  };

  /** One function for every connection's handler promise, not a closure per connection. */
  readonly #handlerFailed = (error: unknown): void => report("the connection handler", error, this);

  #deliver(handle: StreamHandle): void {
    const socket = new Socket(handle, this.#options, "server", this.#platform);
    this.#connections.add(socket);
    socket[whenClosed] = this.#forget;
    const callback = this.#onConnection;
    if (callback) {
      try {
        const result = callback(socket);
        if (result instanceof Promise) result.catch(this.#handlerFailed);
      } catch (error) {
        report("the connection handler", error, this);
      }
      return;
    }
    if (!this.#accepted.give(socket)) this.#accepted.push(socket);
  }

  /**
   * Stop handing out connections until `resume()`. Where the runtime can stop accepting, new
   * connections wait in the kernel's backlog; elsewhere they are accepted and held, unread
   * (they count towards `maxConnections`).
   */
  pause(): void {
    if (this.#paused || !this.#listening) return;
    this.#paused = true;
    this.#handle.pause?.();
  }

  /** Hand out connections again, those held while paused first. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#handle.resume?.();
    const held = this.#held;
    this.#held = [];
    for (const handle of held) this.#deliver(handle);
  }

  /**
   * Write `data` to every open connection but those in `except` and those closed for writing.
   * Returns how many got it. Like `socket.write`, it queues and never drops: a slow
   * connection's queue grows.
   *
   * @throws TypeError for `data` that is neither a string nor a Uint8Array, or an `except`
   *   that is neither a Socket nor an iterable.
   */
  broadcast(data: Uint8Array | string, options?: BroadcastOptions): number {
    checkData("data", data);
    const { except } = checkOptionsObject("options", options, ["except"]);
    const excluded = new Set<unknown>(
      except instanceof Socket ? [except] : except === undefined ? [] : asIterable(except),
    );
    let count = 0;
    for (const socket of this.#connections) {
      if (excluded.has(socket) || socket.state === "writeClosed" || socket.state === "closed")
        continue;
      try {
        socket.write(data);
        count++;
      } catch (error) {
        // A socket may be ending between the state check and the write; it simply misses this one.
        if (!(error instanceof SocketError)) throw error;
      }
    }
    return count;
  }

  /**
   * Stop listening. `graceful` (the default) lets open connections finish on their own and
   * resolves when the last one closes; `graceful: false` closes them now, without sending
   * what they still queue. Calling it again is harmless, and `graceful: false` then closes
   * what a graceful close still waits for. Connections held by `pause()` are closed, and
   * `for await (const socket of server)` ends.
   *
   * @throws TypeError for a malformed option.
   */
  close(options?: ServerCloseOptions): Promise<void> {
    const { graceful = true } = checkOptionsObject("options", options, [
      "graceful",
    ]) as ServerCloseOptions;
    checkBoolean("options.graceful", graceful);
    if (!graceful) for (const socket of this.#connections) socket[destroySocket]();
    if (this.#closing) return this.#closing.then(() => this.closed);
    this.#listening = false;
    for (const handle of this.#held) handle.close();
    this.#held = [];
    this.#accepted.release(done);
    this.#closing = this.#handle
      .close()
      .catch((error) => report("closing a listener", error, this));
    void this.#closing.then(() => {
      if (this.#connections.size === 0) this.#finish();
    });
    return this.#closing.then(() => this.closed);
  }

  #finish(): void {
    if (this.#closedAt !== undefined) return;
    this.#closedAt = Date.now();
    monitor.delete(this);
    if (monitorActive.value)
      monitor.emit({
        type: "close",
        id: this.id,
        kind: "server",
        time: this.#closedAt,
        stats: this.stats,
      });
    this.#resolveClosed();
  }

  /**
   * Accepted connections, when `listen()` got no callback. Ends when the server closes.
   * Breaking out does not close the server. One reader at a time: a second read while one
   * waits is a TypeError.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<Socket> {
    const iterator: AsyncIterableIterator<Socket> = {
      next: () => {
        const socket = this.#accepted.shift();
        if (socket) return Promise.resolve({ value: socket, done: false });
        if (!this.#listening) return Promise.resolve(done);
        return this.#accepted.wait();
      },
      return: () => Promise.resolve(done),
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** Keep the process alive while the server listens (the default); undoes `unref()`. */
  ref(): this {
    this.#handle.ref();
    return this;
  }

  /** Let the process exit while the server listens. */
  unref(): this {
    this.#handle.unref();
    return this;
  }

  /** `close({ graceful: false })`, for `await using server = await listen(…)`. */
  [asyncDispose](): Promise<void> {
    return this.close({ graceful: false });
  }

  /** @internal Its connections are listed with it: they are not registered on their own. */
  members(): Iterable<Socket> {
    return this.#connections;
  }

  /** @internal */
  snapshot(): MonitorEntry {
    return {
      id: this.id,
      kind: "server",
      role: "listener",
      transport: this.address.transport,
      secure: this.#options.tls !== undefined,
      localAddress: this.address,
      remoteAddress: undefined,
      state: this.#listening ? "listening" : "closed",
      stats: this.stats,
      age: Date.now() - this.#openedAt,
    };
  }
}

function asIterable(value: unknown): Iterable<unknown> {
  if (typeof value === "object" && value !== null && Symbol.iterator in value)
    return value as Iterable<unknown>;
  throw new TypeError(
    `The "options.except" argument must be a Socket or an iterable of sockets. Received ${describeValue(value)}`,
  );
}
