import type { SocketAddress } from "./address.js";
import type { Platform } from "./capabilities.js";
import type { ServerHandle, ServerSink, StreamHandle } from "./driver.js";
import { SocketError } from "./error.js";
import { asyncDispose, nextId } from "./internal/timer.js";
import { type Monitored, type MonitorEntry, monitor, monitorActive, report } from "./monitor.js";
import type { BroadcastOptions, NormalizedListenOptions, ServerCloseOptions } from "./options.js";
import { destroySocket, Socket, whenClosed } from "./socket.js";
import type { ServerStats } from "./types.js";
import { checkBoolean, checkData, checkOptionsObject } from "./validate.js";

type Waiter = { resolve(result: IteratorResult<Socket>): void };

/**
 * A listening socket. Accepted connections go to the `onConnection` callback given to
 * `listen()`, or else to `for await (const socket of server)`.
 *
 * `pause()` stops handing out connections: where the runtime can stop accepting they wait
 * in the kernel's backlog, elsewhere they are accepted and held, unread, until `resume()`.
 */
export class Server implements AsyncIterable<Socket>, Monitored {
  readonly id = nextId();
  readonly address: SocketAddress;
  /** Connections accepted and not yet closed. */
  readonly connections: ReadonlySet<Socket>;
  /** Connections beyond this many are closed as soon as they are accepted. */
  maxConnections: number;
  /** Settles when the server has stopped listening and, for a graceful close, every connection is over. */
  readonly closed: Promise<void>;

  #handle!: ServerHandle;
  readonly #options: NormalizedListenOptions;
  readonly #platform: Platform;
  readonly #onConnection: ((socket: Socket) => unknown) | undefined;
  readonly #connections = new Set<Socket>();
  #paused = false;
  #held: StreamHandle[] = [];
  #accepted: Socket[] = [];
  #waiter: Waiter | undefined;
  #listening = true;
  #closing: Promise<void> | undefined;
  #resolveClosed!: () => void;
  #accepts = 0;
  #refused = 0;
  readonly #openedAt = Date.now();
  #closedAt: number | undefined;

  /** @internal Servers come from `listen()`. */
  constructor(
    options: NormalizedListenOptions,
    onConnection: ((socket: Socket) => unknown) | undefined,
    platform: Platform,
  ) {
    this.#options = options;
    this.#platform = platform;
    this.#onConnection = onConnection;
    this.maxConnections = options.maxConnections;
    this.connections = this.#connections;
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.address = undefined as never; // set by `attach`, before anyone sees the server
  }

  /** @internal The sink to hand the driver's `listen`. */
  readonly sink: ServerSink = {
    connection: (handle) => this.#accept(handle),
    error: (error) => {
      report("accepting a connection", error);
      if (monitorActive.value)
        monitor.emit({ type: "error", id: this.id, kind: "server", time: Date.now(), error });
    },
  };

  /** @internal */
  attach(handle: ServerHandle): void {
    this.#handle = handle;
    (this as { address: SocketAddress }).address = handle.address;
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
    const signal = this.#options.signal;
    if (signal) {
      const onAbort = () => void this.close({ graceful: false });
      signal.addEventListener("abort", onAbort, { once: true });
      void this.closed.then(() => signal.removeEventListener("abort", onAbort));
    }
  }

  get stats(): ServerStats {
    return {
      accepted: this.#accepts,
      refused: this.#refused,
      openedAt: this.#openedAt,
      closedAt: this.#closedAt,
    };
  }

  get listening(): boolean {
    return this.#listening;
  }

  #accept(handle: StreamHandle): void {
    this.#accepts++;
    if (!this.#listening) {
      handle.close();
      return;
    }
    if (this.#connections.size + this.#held.length >= this.maxConnections) {
      this.#refused++;
      handle.close();
      return;
    }
    if (this.#paused) this.#held.push(handle);
    else this.#deliver(handle);
  }

  readonly #forget = (socket: Socket): void => {
    this.#connections.delete(socket);
    if (this.#closing && this.#connections.size === 0) this.#finish();
  };

  #deliver(handle: StreamHandle): void {
    const socket = new Socket(handle, this.#options, "server", this.#platform, {
      listening: this.address,
    });
    this.#connections.add(socket);
    socket[whenClosed] = this.#forget;
    const callback = this.#onConnection;
    if (callback) {
      try {
        const result = callback(socket);
        if (result instanceof Promise)
          result.catch((error) => report("the connection handler", error));
      } catch (error) {
        report("the connection handler", error);
      }
      return;
    }
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter.resolve({ value: socket, done: false });
    } else {
      this.#accepted.push(socket);
    }
  }

  /** Stop handing out connections until `resume()`. */
  pause(): void {
    if (this.#paused || !this.#listening) return;
    this.#paused = true;
    this.#handle.pause?.();
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#handle.resume?.();
    const held = this.#held;
    this.#held = [];
    for (const handle of held) this.#deliver(handle);
  }

  /** Write `data` to every open connection but those in `except`. Returns how many got it. */
  broadcast(data: Uint8Array | string, options?: BroadcastOptions): number {
    checkData("data", data);
    const { except } = checkOptionsObject("options", options, ["except"]);
    const excluded = new Set<unknown>(
      except instanceof Socket ? [except] : except == null ? [] : asIterable(except),
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
   * resolves when the last one closes; `graceful: false` closes them now.
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
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve({ value: undefined, done: true });
    this.#closing = this.#handle.close().catch((error) => report("closing a listener", error));
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

  /** Accepted connections, when `listen()` got no callback. Ends when the server closes. */
  [Symbol.asyncIterator](): AsyncIterableIterator<Socket> {
    const iterator: AsyncIterableIterator<Socket> = {
      next: () => {
        const socket = this.#accepted.shift();
        if (socket) return Promise.resolve({ value: socket, done: false });
        if (!this.#listening) return Promise.resolve({ value: undefined, done: true });
        if (this.#waiter)
          return Promise.reject(
            new TypeError("The server is already being iterated: one reader at a time"),
          );
        return new Promise((resolve) => (this.#waiter = { resolve }));
      },
      return: async () => ({ value: undefined, done: true }),
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  ref(): this {
    this.#handle.ref();
    return this;
  }

  unref(): this {
    this.#handle.unref();
    return this;
  }

  [asyncDispose](): Promise<void> {
    return this.close({ graceful: false });
  }

  /** @internal */
  snapshot(): MonitorEntry {
    return {
      id: this.id,
      kind: "server",
      role: "listener",
      transport: this.address.transport,
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
    `The "options.except" argument must be a Socket or an iterable of sockets. Received ${typeof value}`,
  );
}
