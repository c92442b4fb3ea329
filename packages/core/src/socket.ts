// The nested #Chunks class uses private members of Socket, which this rule cannot see.
/* oxlint-disable no-unused-private-class-members */
import type { SocketAddress } from "./address.js";
import { type Platform, requireCapability } from "./capabilities.js";
import {
  sinkBorrows,
  sinkClose,
  sinkData,
  sinkDrain,
  sinkEnd,
  type StreamHandle,
  type StreamSink,
} from "./driver.js";
import { notSupported, SocketError } from "./error.js";
import { decoding, done, ReadQueue, unread } from "./internal/read-queue.js";
import {
  alreadyReading,
  checkReadArguments,
  fulfilled,
  type ReadArguments,
  Reader,
  type ReaderHooks,
  readerHooks,
} from "./internal/reader.js";
import { asyncDispose, epochMs, msSinceLoad, nextId, soon, startTimer } from "./internal/timer.js";
import { COALESCE_LIMIT, WriteQueue } from "./internal/write-queue.js";
import { type Monitored, type MonitorEntry, monitor, monitorActive } from "./monitor.js";
import type {
  NormalizedConnectOptions,
  NormalizedStreamOptions,
  ReadOptions,
  TlsClientOptions,
  TlsServerOptions,
} from "./options.js";
import type { SocketState, SocketStats, TlsInfo } from "./types.js";
import { checkBoolean, checkData, checkMilliseconds } from "./check.js";
import {
  checkTlsClientSupported,
  checkTlsServerSupported,
  defaultHighWaterMark,
} from "./normalize.js";
import { normalizeTlsClient, normalizeTlsServer } from "./tls-options.js";

/** The bits of `Socket#flags`: yes/no state every socket has, packed into one field. */
const Flag = {
  ClosedByUser: 1,
  PumpScheduled: 2,
  /**
   * The next write may leave at once: nothing has been written since the last read or the
   * last gathered send. A reply to a request leaves without waiting for the tick to end; a
   * producer that writes once per tick alternates between leaving at once and being gathered,
   * which costs it one microtask, not a system call.
   */
  Fresh: 4,
  Ending: 8,
  ShutdownSent: 16,
  Paused: 32,
  ReadEnded: 64,
  /** The `readable` stream's pull is the read waiting in the read queue. */
  Pulling: 128,
  /** The consumer has asked for data: its read of the peer's FIN then ends the socket. */
  Consumed: 256,
  /** The driver reads only for a waiting reader (`StreamHandle.readsOnDemand`). */
  OnDemand: 512,
  /** The `allowHalfOpen` option. */
  AllowHalfOpen: 1024,
  /** Accepted by a server (`role` "server"), not connected by this process. */
  Accepted: 2048,
} as const;
type Flag = (typeof Flag)[keyof typeof Flag];

/** `Socket#state`: two bits of its flags, from `stateShift` on, index into this. */
const states = ["open", "readClosed", "writeClosed", "closed"] as const;
type StreamState = (typeof states)[number];
const stateShift = 12;

/**
 * A socket's state that an idle connection never needs: its `closed` promise, its error, the
 * idle timer, the signal, the stream views, what waits for a flush. One object, made on
 * first use (`Socket#more`), in place of sixteen fields on every socket.
 */
class Rare {
  /** Made on first use: most sockets never ask, and a promise per socket adds up. */
  closed: Promise<void> | undefined = undefined;
  settleClosed: { resolve(): void; reject(error: SocketError): void } | undefined = undefined;
  closeError: SocketError | undefined = undefined;
  /** The error the engine itself ended the socket with (idle timeout, abort). */
  failure: SocketError | undefined = undefined;
  closedAt: number | undefined = undefined;
  /** `#endOfTick` bound, made at the first gathered write. */
  pump: (() => void) | undefined = undefined;
  flushWaiters: { resolve(): void; reject(error: unknown): void }[] | undefined = undefined;
  /** The iterator whose `next()` last waited in the read queue: its `return()` gives that read up. */
  waitingIterator: object | undefined = undefined;
  idleTimeout = 0;
  idleTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  lastActivity = 0;
  signal: AbortSignal | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;
  readable: ReadableStream<Uint8Array> | undefined = undefined;
  writable: WritableStream<Uint8Array | string> | undefined = undefined;
  /** While `startTls` waits for the driver: gives it up (a timeout, an abort). */
  stopUpgrade: ((error: SocketError) => void) | undefined = undefined;
  /**
   * A client's TLS server name when its peer's address does not tell it (a target given by
   * name), for `startTls`.
   */
  servername: string | undefined = undefined;
  /** A client's connect `timeout`, which bounds a `startTls` handshake too. */
  handshakeTimeout = 0;
  /** The `highWaterMark` option, here when it is not the default. */
  highWaterMark = defaultHighWaterMark;
  /** The framing decoder whose `decode` loop reads the socket now (`Socket[decoding]`). */
  decoding: { readonly buffered: number } | undefined = undefined;
}

/**
 * The options a socket reads: the stream options, and a client's `target` and `timeout` (for
 * `startTls`). It keeps only what it reads later, not the object.
 */
type SocketOptions = Pick<
  NormalizedStreamOptions,
  "highWaterMark" | "allowHalfOpen" | "idleTimeout"
> &
  Partial<Pick<NormalizedConnectOptions, "target" | "timeout">>;

/**
 * What {@link Socket.read} calls with each chunk, and the socket (so that one function can
 * serve every connection). A promise (any thenable) it returns pauses reading until it
 * settles: `if (!socket.write(reply)) return socket.flush();` pushes back on the peer.
 */
export type ChunkHandler = (chunk: Uint8Array, socket: Socket) => void | PromiseLike<unknown>;

/** What a `readable` stream's pull gets when it gives way to another reader. */
const withdrawn: IteratorResult<Uint8Array> = Object.freeze({ value: undefined, done: true });

/** Lets a Server close its connections without a public method for it. */
export const destroySocket = Symbol("omnisock.destroy");
/**
 * Lets a Server hear of a connection's end without a promise chain per connection, and of the
 * socket that carries the connection on after `startTls` (`successor`).
 */
export const whenClosed = Symbol("omnisock.whenClosed");

/**
 * A connected stream: TCP (TLS included) or Unix, client ({@link Omnisock.connect}) or
 * accepted (from a {@link Server}). The same on every runtime; the driver under it only moves
 * bytes.
 *
 * Reading: `for await (const chunk of socket)`, or `await socket.read(handler)`, which calls
 * `handler` with each chunk (no promise per chunk: the faster form). Reading pauses while the
 * consumer does (after `highWaterMark` bytes are buffered). Leaving the loop, or stopping
 * `read()`, does not close the socket; read again to read on.
 * **Note:** on Deno a plain client socket, once its first chunk has come, takes bytes from
 * the connection only while a reader waits (Deno cannot take back a read it has issued, and
 * `startTls()` needs none pending). There, a socket that has received something and that
 * nobody is reading notices the peer's FIN or RST only at its next read or write, or once
 * it has called `end()`; `stats` and the monitor count bytes as they are read.
 *
 * Writing: `write()` never drops: it queues, and returns `false` once `highWaterMark`
 * bytes are queued; `await flush()` then waits until the kernel has them. The first write
 * after a read leaves at once; the writes after it are gathered and leave together once the
 * current tick's code is done. A `Uint8Array` of 16 KiB or more is queued without a copy: do
 * not change it until `flush()` resolves.
 *
 * Closing: `end()` half-closes, `close()` closes gracefully, `reset()` aborts; `closed`
 * settles when it is over, and `await using` closes it. Writing to a socket closed for
 * writing fails with `ECLOSED`; reading a closed one ends at once, or throws the error that
 * ended it.
 */
export class Socket implements AsyncIterable<Uint8Array>, Monitored, StreamSink {
  /** Unique in the process and never reused: the `id` of its monitor entry and events. */
  readonly id: number = nextId();
  /** @internal Called once, as the socket closes (with its successor, when `startTls` made one). */
  [whenClosed]: ((socket: Socket, successor?: Socket) => void) | undefined;

  readonly #handle: StreamHandle;
  readonly #platform: Platform;
  /** The yes/no state, one bit each (see `Flag`), and `#state`: one field rather than twelve. */
  #flags: number = Flag.Fresh;
  /** What most sockets never need (see `Rare`), made on first use. */
  #rare: Rare | undefined;

  // Write side.
  /** Made at the first write: a connection that only listens never needs one. */
  #out: WriteQueue | undefined;

  // Read side.
  /** Made when a chunk must wait or a read waits (`#chunks`): most sockets never buffer. */
  #queue: ReadQueue<Uint8Array> | undefined;
  /** The `read(handler)` under way, if any. */
  #reader: Reader<Uint8Array, Socket> | undefined;

  // Counters (what was sent is the write queue's).
  /** Made at the first chunk: a connection that only waits never needs one. */
  #received: { bytes: number; packets: number } | undefined;
  /** When it opened, in `msSinceLoad()` terms (no heap number per socket). */
  readonly #openedAt = msSinceLoad();

  // An idle socket holds only the fields above (every one is 8 bytes on each of 10,000
  // connections): its yes/no state is in `#flags`, the rest in `#rare` once needed, and what
  // can be told from something else is a getter.

  #has(flag: Flag): boolean {
    return (this.#flags & flag) !== 0;
  }

  #set(flag: Flag, on: boolean): void {
    this.#flags = on ? this.#flags | flag : this.#flags & ~flag;
  }

  get #state(): StreamState {
    return states[(this.#flags >>> stateShift) & 3] as StreamState;
  }

  set #state(state: StreamState) {
    this.#flags = (this.#flags & ~(3 << stateShift)) | (states.indexOf(state) << stateShift);
  }

  /** The rare state, made now if it is not yet. */
  get #more(): Rare {
    return (this.#rare ??= new Rare());
  }

  get #idleTimeout(): number {
    return this.#rare?.idleTimeout ?? 0;
  }

  get #highWaterMark(): number {
    return this.#rare?.highWaterMark ?? defaultHighWaterMark;
  }

  /** Bytes buffered and not yet read (they are in the read queue). */
  get #buffered(): number {
    return this.#queue?.bytes ?? 0;
  }

  /** Chunks buffered and not yet read (the queue itself is made when first needed). */
  get #unreadChunks(): number {
    return this.#queue?.length ?? 0;
  }

  /**
   * The `readable` stream's pull waits in the read queue, and nobody holds the stream any more
   * (its reader released, the loop left): another reader may take its place.
   */
  get #pullWithdrawable(): boolean {
    return this.#has(Flag.Pulling) && !this.#rare?.readable?.locked;
  }

  /** What is buffered and the read waiting for more, made when first needed. */
  get #chunks(): ReadQueue<Uint8Array> {
    return (this.#queue ??= new ReadQueue<Uint8Array>("socket"));
  }

  /** @internal Sockets come from `connect()` and from a server, never from `new`. */
  constructor(
    handle: StreamHandle,
    options: SocketOptions,
    role: "client" | "server",
    platform: Platform,
    { signal }: { signal?: AbortSignal | undefined } = {},
  ) {
    this.#handle = handle;
    this.#platform = platform;
    if (options.highWaterMark !== defaultHighWaterMark) {
      this.#more.highWaterMark = options.highWaterMark;
    }
    this.#set(Flag.AllowHalfOpen, options.allowHalfOpen);
    this.#set(Flag.Accepted, role === "server");
    // An accepted socket is listed through its server (`Server.members`): one registry entry
    // fewer per connection.
    if (role === "client") monitor.add(this);
    if (options.idleTimeout > 0) this.setTimeout(options.idleTimeout);
    // What startTls needs and the peer's address does not tell, only where it does not.
    const { target, timeout = 0 } = options;
    const named =
      target?.transport === "tcp" &&
      (this.remoteAddress.transport !== "tcp" || this.remoteAddress.hostname !== target.hostname);
    if (named) this.#more.servername = target.hostname;
    if (timeout > 0) this.#more.handshakeTimeout = timeout;
    if (signal) {
      const onAbort = () =>
        this.#fail(
          new SocketError("EABORTED", "the signal aborted the socket", {
            syscall: "abort",
            address: this.remoteAddress,
          }),
        );
      Object.assign(this.#more, { signal, onAbort });
      signal.addEventListener("abort", onAbort, { once: true });
    }
    this.#set(Flag.OnDemand, handle.readsOnDemand === true);
    handle.start(this);
    if (monitorActive.value) {
      monitor.emit({
        type: role === "client" ? "connect" : "accept",
        id: this.id,
        kind: "socket",
        time: Date.now(),
        localAddress: this.localAddress,
        remoteAddress: this.remoteAddress,
      });
    }
  }

  /** `"client"` when this process connected it, `"server"` when a server accepted it. */
  get role(): "client" | "server" {
    return this.#has(Flag.Accepted) ? "server" : "client";
  }

  /** @internal The framing decoder whose `decode` loop reads this socket now, if any. */
  get [decoding](): { readonly buffered: number } | undefined {
    return this.#rare?.decoding;
  }

  /** @internal */
  set [decoding](decoder: { readonly buffered: number } | undefined) {
    if (decoder !== undefined || this.#rare !== undefined) this.#more.decoding = decoder;
  }

  /**
   * This end's address. Readable after close. For a Unix client that did not bind, the path
   * is `""`.
   */
  get localAddress(): SocketAddress {
    // The driver's, not a copy: a field is 8 bytes on each of 10,000 idle connections. An
    // accepted connection's is its listener's address where that tells it (`acceptedLocal`).
    return this.#handle.localAddress;
  }

  /** The peer's address. Readable after close. */
  get remoteAddress(): SocketAddress {
    return this.#handle.remoteAddress;
  }

  /** `"tcp"` (TLS included) or `"unix"`. */
  get transport(): "tcp" | "unix" {
    // Derived rather than stored: a field is 8 bytes on each of 10,000 idle connections.
    return this.remoteAddress.transport === "unix" ? "unix" : "tcp";
  }

  /**
   * `"open"`; `"readClosed"` once the peer's FIN has arrived, `"writeClosed"` once `end()` has
   * sent ours; `"closed"` when it is over.
   */
  get state(): SocketState {
    return this.#state;
  }

  /** Whether the connection is TLS. */
  get secure(): boolean {
    return this.#handle.tls !== undefined;
  }

  /**
   * What TLS negotiated, with the same names and value forms on every runtime; `undefined`
   * on a plain socket.
   *
   * **Note:** see {@link TlsInfo} for what a runtime may not tell (`capabilities.tlsSessionInfo`).
   */
  get tls(): TlsInfo | undefined {
    return this.#handle.tls;
  }

  /**
   * Settles when the socket is over: resolves on a clean close, rejects with the
   * `SocketError` that ended it. Never an unhandled rejection: nobody is obliged to await it.
   */
  get closed(): Promise<void> {
    const rare = this.#more;
    if (rare.closed === undefined) {
      if (this.#state !== "closed") {
        rare.closed = new Promise((resolve, reject) => (rare.settleClosed = { resolve, reject }));
      } else {
        rare.closed = rare.closeError ? Promise.reject(rare.closeError) : Promise.resolve();
      }
      rare.closed.catch(() => {});
    }
    return rare.closed;
  }

  /**
   * The counters so far, a new object each time. A "packet" is one write handed to the
   * kernel, or one chunk read from it; for TLS the bytes are the application's.
   */
  get stats(): SocketStats {
    return {
      bytesSent: this.#out?.bytes ?? 0,
      bytesReceived: this.#received?.bytes ?? 0,
      packetsSent: this.#out?.packets ?? 0,
      packetsReceived: this.#received?.packets ?? 0,
      openedAt: epochMs(this.#openedAt),
      closedAt: this.#rare?.closedAt,
    };
  }

  /** Bytes accepted by `write()` and not yet handed to the kernel. */
  get writableLength(): number {
    return this.#out?.queued ?? 0;
  }

  // ---- writing ----

  /**
   * Queue bytes (a string is sent as UTF-8). Never drops; returns `false` once
   * `highWaterMark` bytes are queued: then `await flush()` before writing more.
   *
   * @throws TypeError for `data` that is neither a string nor a Uint8Array.
   * @throws {@link SocketError} `ECLOSED` after `end()` or `close()`, and once the connection
   *   is closed for writing.
   */
  write(data: Uint8Array | string): boolean {
    checkData("data", data);
    if (this.#has(Flag.Ending) || this.#state === "closed" || this.#state === "writeClosed") {
      throw new SocketError("ECLOSED", "cannot write: the socket is closed for writing", {
        syscall: "write",
        address: this.remoteAddress,
      });
    }
    const out = (this.#out ??= new WriteQueue(this.#handle));
    const empty = out.queued === 0 && !out.full;
    // The first write since the last read or gathered send leaves at once (a request, a
    // reply): nothing is scheduled for it.
    const leaveNow = empty && this.#has(Flag.Fresh);
    if (leaveNow) this.#set(Flag.Fresh, false);
    if (
      empty &&
      this.#handle.keepsNothing &&
      typeof data !== "string" &&
      (leaveNow || data.byteLength >= COALESCE_LIMIT)
    ) {
      // The driver hands what it takes straight to the kernel: no copy of the caller's bytes.
      // A large write, which no slab would gather, leaves at once too (a bulk sender's loop):
      // with nothing queued before it, it goes out in order, and no flush waits for the tick.
      this.#count(out.writeThrough(data));
      return out.queued < this.#highWaterMark;
    }
    if (typeof data === "string") out.stageText(data);
    else out.stageBytes(data);
    if (leaveNow) {
      this.#send();
    } else if (!this.#has(Flag.PumpScheduled) && !out.full) {
      // The writes after it gather and leave together, in one call, once this tick is over.
      this.#set(Flag.PumpScheduled, true);
      soon((this.#more.pump ??= () => this.#endOfTick()));
    }
    return out.queued < this.#highWaterMark;
  }

  /**
   * Resolves when everything queued has reached the kernel. Rejects when the connection ends
   * first with bytes still queued: with the error that ended it, else `ECLOSED`.
   */
  flush(): Promise<void> {
    const out = this.#out;
    if (out === undefined || (out.queued === 0 && !out.full)) return fulfilled;
    if (this.#state === "closed") return Promise.reject(this.#closedError("flush"));
    return new Promise((resolve, reject) =>
      (this.#more.flushWaiters ??= []).push({ resolve, reject }),
    );
  }

  /**
   * Half-close: send FIN once everything queued is sent, and resolve then (or reject as
   * `flush()` does). Reading goes on (the socket is `"writeClosed"`) until the peer closes its
   * side too. Calling it again, or on a closed socket, does nothing.
   */
  async end(): Promise<void> {
    if (this.#has(Flag.Ending) || this.#state === "closed") return;
    this.#set(Flag.Ending, true);
    await this.flush();
    this.#sendShutdown();
  }

  /**
   * Close gracefully: send everything queued, then release the connection. Resolves once it
   * is closed, even when it failed (`closed` then carries the error); calling it again waits
   * for the same close.
   */
  async close(): Promise<void> {
    if (this.#state !== "closed" && !this.#has(Flag.ClosedByUser)) {
      this.#set(Flag.ClosedByUser, true);
      await this.#flushThenClose();
    }
    return this.closed.catch(() => {});
  }

  /**
   * The peer's FIN ends the socket (allowHalfOpen false): as `close()`, but not the user's
   * doing, so that an error the driver reports meanwhile (an RST met by our queued writes)
   * still ends the socket with that error.
   */
  async #closeAfterEnd(): Promise<void> {
    if (this.#has(Flag.Ending) || this.#state === "closed") return;
    await this.#flushThenClose();
  }

  async #flushThenClose(): Promise<void> {
    this.#set(Flag.Ending, true);
    try {
      await this.flush();
    } catch {
      // The socket failed while flushing; `closed` carries that error.
    }
    // `flush()` awaited: the driver may have closed meanwhile.
    if ((this.#state as SocketState) !== "closed") this.#handle.close();
  }

  /**
   * Abort: discard what is queued and send RST where the runtime can. Resolves once closed.
   *
   * **Note:** where it cannot (`capabilities.reset`, Deno; `capabilities.tlsReset` for a TLS
   * socket) the connection is closed with a FIN instead, and what was queued is still
   * discarded.
   */
  reset(): Promise<void> {
    if (this.#state !== "closed") {
      this.#set(Flag.ClosedByUser, true);
      this.#out?.clear();
      this.#handle.reset();
    }
    return this.closed.catch(() => {});
  }

  /** @internal Close at once without flushing (a forced server close). */
  [destroySocket](): void {
    if (this.#state === "closed") return;
    this.#set(Flag.ClosedByUser, true);
    this.#out?.clear();
    this.#handle.close();
  }

  /** The end of a tick of writes: send what gathered since the first. */
  #endOfTick(): void {
    this.#set(Flag.PumpScheduled, false);
    this.#send();
    this.#set(Flag.Fresh, true);
  }

  /** What follows bytes handed to the driver (the write queue counts them). */
  #count(sent: number): void {
    if (sent > 0) {
      if (this.#idleTimeout > 0) this.#more.lastActivity = Date.now();
      if (monitorActive.value) {
        monitor.emit({ type: "send", id: this.id, kind: "socket", time: Date.now(), bytes: sent });
      }
    }
  }

  /** Hand queued bytes to the driver until it is full or nothing is left. */
  #send(): void {
    const out = this.#out;
    if (this.#state === "closed" || out === undefined) return;
    this.#count(out.send());
    if (out.queued === 0 && !out.full) this.#settleFlush(undefined);
  }

  #settleFlush(error: unknown): void {
    const rare = this.#rare;
    const waiters = rare?.flushWaiters;
    if (rare === undefined || waiters === undefined || waiters.length === 0) return;
    rare.flushWaiters = undefined;
    for (const waiter of waiters) {
      if (error === undefined) waiter.resolve();
      else waiter.reject(error);
    }
  }

  #sendShutdown(): void {
    if (this.#has(Flag.ShutdownSent) || this.#state === "closed") return;
    this.#set(Flag.ShutdownSent, true);
    this.#handle.shutdown();
    if (this.#state === "readClosed") {
      // Both directions are done: nothing more can happen on this connection.
      this.#handle.close();
      return;
    }
    this.#state = "writeClosed";
    if (this.#has(Flag.OnDemand)) {
      // No upgrade can follow a FIN: read in the background again, so that the peer's FIN
      // ends the socket without a reader (`await socket.end(); await socket.closed`).
      this.#set(Flag.OnDemand, false);
      if (this.#has(Flag.Paused) && this.#buffered < this.#highWaterMark) {
        this.#set(Flag.Paused, false);
        this.#handle.resume();
      }
    }
  }

  // ---- events from the driver ----

  // What the driver calls: the socket is its handle's sink (see StreamSink).

  /** @internal */
  [sinkData](chunk: Uint8Array): void {
    this.#receive(chunk);
  }

  /** @internal */
  [sinkEnd](): void {
    this.#receiveEnd();
  }

  /** @internal */
  [sinkDrain](): void {
    this.#drain();
  }

  /** @internal */
  [sinkClose](error?: SocketError): void {
    this.#onClose(error);
  }

  /** @internal */
  get [sinkBorrows](): boolean {
    // The conditions under which `#receive` hands a chunk straight to the reader.
    const reader = this.#reader;
    return reader !== undefined && reader.borrows && !reader.busy && this.#unreadChunks === 0;
  }

  #receive(chunk: Uint8Array): void {
    this.#set(Flag.Fresh, true);
    const length = chunk.byteLength;
    const received = (this.#received ??= { bytes: 0, packets: 0 });
    received.bytes += length;
    received.packets++;
    if (this.#idleTimeout > 0) this.#more.lastActivity = Date.now();
    if (monitorActive.value) {
      monitor.emit({
        type: "receive",
        id: this.id,
        kind: "socket",
        time: Date.now(),
        bytes: length,
      });
    }
    // A `readable` stream nobody holds any more (its reader released) gives its pull up: the
    // chunk stays here for whoever reads next.
    if (this.#pullWithdrawable) this.#withdrawPull();
    const reader = this.#reader;
    if (reader !== undefined && !reader.busy && this.#unreadChunks === 0) {
      if (reader.deliver(chunk)) {
        // The handler closed the socket, or a chunk came while it ran: see to them now.
        if (this.#has(Flag.ReadEnded) || this.#unreadChunks > 0) this.#pumpReader(reader);
      } else if (this.#has(Flag.OnDemand) && !this.#has(Flag.Paused) && this.#state !== "closed") {
        // Busy with a promise, or stopped: no further read until it asks again. Here, inside
        // the driver's delivery, the driver has not issued its next read yet.
        this.#set(Flag.Paused, true);
        this.#handle.pause();
      }
      return;
    }
    const chunks = this.#chunks;
    if (chunks.give(chunk)) {
      // Reading on demand: the next read waits until the reader asks again, which it may not
      // (it leaves the loop to start TLS).
      if (this.#has(Flag.OnDemand)) {
        this.#set(Flag.Paused, true);
        this.#handle.pause();
      }
      return;
    }
    chunks.push(chunk);
    chunks.bytes += length;
    if (
      !this.#has(Flag.Paused) &&
      (this.#has(Flag.OnDemand) || this.#buffered >= this.#highWaterMark)
    ) {
      this.#set(Flag.Paused, true);
      this.#handle.pause();
    }
  }

  #receiveEnd(): void {
    this.#set(Flag.ReadEnded, true);
    if (this.#state === "writeClosed") {
      this.#handle.close();
    } else if (this.#state === "open") {
      this.#state = "readClosed";
      // Nothing unread and nobody reading: no reply can be pending, so the FIN ends the
      // socket now (after our queue). Otherwise the consumer's read of it does.
      if (!this.#has(Flag.Consumed) && this.#buffered === 0 && !this.#has(Flag.AllowHalfOpen))
        void this.#closeAfterEnd();
    }
    this.#finishReader();
  }

  #drain(): void {
    const out = this.#out;
    if (out === undefined || !out.full) return;
    out.full = false;
    this.#send();
  }

  #onClose(driverError: SocketError | undefined): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    const rare = this.#more;
    rare.closedAt = Date.now();
    // An error we caused ourselves (timeout, abort) explains the close better than the driver's.
    const error = rare.failure ?? (this.#has(Flag.ClosedByUser) ? undefined : driverError);
    if (rare.idleTimer !== undefined) clearTimeout(rare.idleTimer);
    if (rare.onAbort) rare.signal?.removeEventListener("abort", rare.onAbort);
    this.#set(Flag.ReadEnded, true);
    rare.closeError = error;
    this.#finishReader();
    const out = this.#out;
    const unsent = out !== undefined && (out.queued > 0 || out.full);
    if (out !== undefined) {
      out.clear();
      out.full = false;
    }
    this.#settleFlush(unsent ? (error ?? this.#closedError("flush")) : undefined);
    if (this.role === "client") monitor.delete(this);
    if (monitorActive.value) {
      const time = rare.closedAt;
      if (error) monitor.emit({ type: "error", id: this.id, kind: "socket", time, error });
      monitor.emit({ type: "close", id: this.id, kind: "socket", time, stats: this.stats });
    }
    const settle = rare.settleClosed;
    rare.settleClosed = undefined;
    if (settle && error) settle.reject(error);
    else settle?.resolve();
    this[whenClosed]?.(this);
  }

  /** End the socket because of `error` (idle timeout, abort): iteration and `closed` report it. */
  #fail(error: SocketError): void {
    if (this.#state === "closed") return;
    const rare = this.#more;
    rare.failure ??= error;
    rare.stopUpgrade?.(rare.failure);
    this.#out?.clear();
    this.#handle.close();
  }

  #closedError(syscall: string): SocketError {
    return new SocketError("ECLOSED", "the socket is closed", {
      syscall,
      address: this.remoteAddress,
    });
  }

  // ---- reading ----

  /** The stream has ended: a read waiting for more gets the end (or the error). */
  #finishReader(): void {
    const chunks = this.#queue;
    const reader = this.#reader;
    // A handler still busy, or chunks still to deliver: the end comes after them.
    if (reader !== undefined) {
      if (!reader.busy && this.#unreadChunks === 0) this.#endReader(reader);
      return;
    }
    if (chunks === undefined || !chunks.waiting) return;
    this.#set(Flag.Pulling, false);
    const closeError = this.#rare?.closeError;
    if (closeError) chunks.release(done, closeError);
    else chunks.release(this.#endOfStream());
  }

  /**
   * The consumer has read up to the peer's FIN. Without half-open, that ends the socket
   * once our queue is sent — only now, as in node:net, so that a reply to the last bytes
   * read still goes out even when the request and the FIN arrived together.
   */
  #endOfStream(): IteratorResult<Uint8Array> {
    if (this.#state === "readClosed" && !this.#has(Flag.AllowHalfOpen)) void this.#closeAfterEnd();
    return done;
  }

  #read(): Promise<IteratorResult<Uint8Array>> {
    if (this.#reader !== undefined) return Promise.reject(alreadyReading());
    this.#set(Flag.Consumed, true);
    const chunks = this.#chunks;
    const chunk = chunks.shift();
    if (chunk !== undefined) {
      chunks.bytes -= chunk.byteLength;
      if (
        this.#has(Flag.Paused) &&
        !this.#has(Flag.OnDemand) &&
        this.#buffered < this.#highWaterMark &&
        this.#state !== "closed"
      ) {
        this.#set(Flag.Paused, false);
        this.#handle.resume();
      }
      return Promise.resolve({ value: chunk, done: false });
    }
    if (this.#has(Flag.ReadEnded)) {
      const closeError = this.#rare?.closeError;
      return closeError ? Promise.reject(closeError) : Promise.resolve(this.#endOfStream());
    }
    // A pull of a `readable` stream that nobody holds (its reader released, the loop left)
    // gives way to this read.
    if (this.#pullWithdrawable) this.#withdrawPull();
    if (this.#has(Flag.Paused)) {
      this.#set(Flag.Paused, false);
      this.#handle.resume();
    }
    return chunks.wait();
  }

  /**
   * The `readable` stream's pending pull resolves without a chunk. The stream stays as it
   * was: its next read pulls again.
   */
  #withdrawPull(): void {
    this.#set(Flag.Pulling, false);
    this.#chunks.release(withdrawn);
  }

  /**
   * @internal What a framing decoder had read past the last message it delivered, put back
   * ahead of what is buffered, for the next reader. Part of the read buffer (so of pausing at
   * `highWaterMark`) but not counted again in `stats` or the monitor: the kernel gave it once.
   */
  [unread](chunks: readonly Uint8Array[]): void {
    // A read already waiting (so nothing is buffered) is the next reader: it gets the first.
    if (this.#pullWithdrawable) this.#withdrawPull();
    const rest = chunks.length > 0 && this.#chunks.give(chunks[0]!) ? chunks.slice(1) : chunks;
    if (rest.length === 0) return;
    const queue = this.#chunks;
    queue.unshift(rest);
    for (const chunk of rest) queue.bytes += chunk.byteLength;
    // A `read(handler)` waiting for the driver gets them first: after this call, not inside it.
    const reader = this.#reader;
    if (reader !== undefined && !reader.busy) soon(() => this.#pumpReader(reader));
    if (
      !this.#has(Flag.Paused) &&
      this.#buffered >= this.#highWaterMark &&
      this.#state !== "closed"
    ) {
      this.#set(Flag.Paused, true);
      this.#handle.pause();
    }
  }

  /**
   * Read by callback: `handler` is called with each chunk as it arrives, in order, and with
   * this socket. Resolves at the peer's FIN (after the last chunk), rejects with the
   * `SocketError` that ended the connection; the same backpressure, counters, monitor events
   * and idle timeout as `for await`, without a promise per chunk.
   *
   * - A promise the handler returns pauses reading until it settles (chunks that arrive
   *   meanwhile are buffered up to `highWaterMark`, then the peer is pushed back): an echo is
   *   `socket.read((chunk) => { if (!socket.write(chunk)) return socket.flush(); })`.
   * - Stop with `options.signal`: nothing more reaches the handler, and `read()` resolves once
   *   its last call is over. The socket stays open; what arrives afterwards waits for the next
   *   reader (`read()` again, `for await`, `decode`), and `startTls()` may follow. Aborting
   *   inside the handler stops right after that chunk.
   *   **Note:** on Deno, where a client socket reads on demand, abort inside the handler
   *   before `startTls()`: a stop from outside, while the handler waits, leaves a read pending
   *   that Deno cannot take back, and `startTls()` is then `ENOTSUP`.
   * - What the handler throws, or a promise it returned rejects with, stops reading too:
   *   `read()` rejects with it, and the socket stays open (as when a `for await` body throws).
   * - One reader at a time: while `read()` runs, another `read()`, a `for await`, the
   *   `readable` or `startTls()` is a TypeError. The handler is never called before `read()`
   *   returns, nor after its promise settles.
   *
   * @param handler Called with each chunk; see {@link ChunkHandler}.
   * @param options `signal` to stop reading.
   * @returns Settles when reading is over (each failure, bad arguments included, is a rejection).
   */
  read(handler: ChunkHandler, options?: ReadOptions): Promise<void> {
    let checked: ReadArguments;
    try {
      checked = checkReadArguments(handler, options);
    } catch (error) {
      return Promise.reject(error);
    }
    const withdrawable = this.#pullWithdrawable;
    if (this.#reader !== undefined || (this.#queue?.waiting === true && !withdrawable)) {
      return Promise.reject(alreadyReading());
    }
    // A pull of a `readable` stream that nobody holds gives way, as it does to an iterator.
    if (withdrawable) this.#withdrawPull();
    if (checked.signal?.aborted) return Promise.resolve();
    this.#set(Flag.Consumed, true);
    const { reader, promise } = Reader.start<Uint8Array, Socket>(handler, this, checked);
    this.#reader = reader;
    // What is buffered (or the end) goes to the handler once this call has returned.
    soon(() => this.#pumpReader(reader));
    return promise;
  }

  /** @internal */
  get [readerHooks](): ReaderHooks<Uint8Array, Socket> {
    return Socket.#readerHooks;
  }

  static readonly #readerHooks: ReaderHooks<Uint8Array, Socket> = {
    next: (socket, reader) => socket.#pumpReader(reader),
    stop: (socket, reader, failed, error) => socket.#stopReader(reader, failed, error),
  };

  /**
   * Hand `reader` what is buffered while it takes chunks at once; then the end, or read on.
   * Also where a handler's promise, once fulfilled, comes back.
   */
  #pumpReader(reader: Reader<Uint8Array, Socket>): void {
    const mark = this.#highWaterMark;
    while (this.#reader === reader && !reader.busy) {
      if (reader.stopping) return this.#stopReader(reader, false, undefined);
      // Read afresh each time: a chunk that comes during the handler may make the queue.
      const queue = this.#queue;
      const chunk = queue?.shift();
      if (queue === undefined || chunk === undefined) {
        if (this.#has(Flag.ReadEnded)) return this.#endReader(reader);
        // Caught up: read on (reading on demand too, as for a waiting iterator).
        if (this.#has(Flag.Paused) && this.#state !== "closed") {
          this.#set(Flag.Paused, false);
          this.#handle.resume();
        }
        return;
      }
      queue.bytes -= chunk.byteLength;
      reader.deliver(chunk);
      // After the delivery, so that a runtime that hands chunks over inside resume() (Bun)
      // cannot put one ahead of it.
      if (
        this.#has(Flag.Paused) &&
        !this.#has(Flag.OnDemand) &&
        this.#buffered < mark &&
        this.#state !== "closed"
      ) {
        this.#set(Flag.Paused, false);
        this.#handle.resume();
      }
    }
  }

  /** `reader` is done: the handler failed (`failed`), or the signal stopped it. The socket reads on for the next reader. */
  #stopReader(reader: Reader<Uint8Array, Socket>, failed: boolean, error: unknown): void {
    if (this.#reader !== reader) return;
    this.#reader = undefined;
    reader.finish(failed, error);
  }

  /** The stream has ended and `reader` has had every chunk: resolve at the FIN, or reject with the error. */
  #endReader(reader: Reader<Uint8Array, Socket>): void {
    this.#reader = undefined;
    const closeError = this.#rare?.closeError;
    if (closeError) return reader.finish(true, closeError);
    this.#endOfStream();
    reader.finish(false);
  }

  /**
   * Read chunks as they arrive; ends at the peer's FIN, and throws the error that ended the
   * connection. Breaking out does not close the socket: iterate again to read on. One reader
   * at a time (a loop, `readable` or a framing `decode`): a second read while one waits is a
   * TypeError.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array> {
    return new Socket.#Chunks(this);
  }

  static readonly #Chunks = class implements AsyncIterableIterator<Uint8Array> {
    readonly #socket: Socket;
    constructor(socket: Socket) {
      this.#socket = socket;
    }
    next(): Promise<IteratorResult<Uint8Array>> {
      const socket = this.#socket;
      const read = socket.#read();
      if (socket.#chunks.waiting && !socket.#has(Flag.Pulling)) socket.#more.waitingIterator = this;
      return read;
    }
    // Leaving the loop leaves the socket open: iterate again to read on. A `next()` of this
    // iterator still waiting (one driven by hand, as a Duplex's `_read` does) ends with it, so
    // that the socket is free for another reader or `startTls`.
    return(): Promise<IteratorResult<Uint8Array>> {
      const socket = this.#socket;
      const rare = socket.#rare;
      if (rare?.waitingIterator === this) {
        rare.waitingIterator = undefined;
        if (socket.#chunks.waiting && !socket.#has(Flag.Pulling)) socket.#chunks.release(done);
      }
      return Promise.resolve(done);
    }
    [Symbol.asyncIterator](): this {
      return this;
    }
  };

  /**
   * A web `ReadableStream` view, made on first use. Cancelling it does not close the socket:
   * what arrives afterwards is read by the next reader (`for await`, or `readable` again,
   * which is then a new stream). Releasing its reader while a read is pending loses nothing.
   */
  get readable(): ReadableStream<Uint8Array> {
    return (this.#more.readable ??= new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          this.#set(Flag.Pulling, true);
          const result = await this.#read().finally(() => this.#set(Flag.Pulling, false));
          if (result === withdrawn) return;
          if (result.done) controller.close();
          else controller.enqueue(result.value);
        },
        cancel: () => {
          if (this.#has(Flag.Pulling)) this.#withdrawPull();
          this.#more.readable = undefined;
        },
      },
      { highWaterMark: 0 },
    ));
  }

  /**
   * A web `WritableStream` view, made on first use: each chunk is written as by `write()`
   * (waiting for `flush()` when the queue is full); `close()` half-closes, `abort()` resets.
   */
  get writable(): WritableStream<Uint8Array | string> {
    return (this.#more.writable ??= new WritableStream<Uint8Array | string>({
      write: async (chunk) => {
        if (!this.write(chunk)) await this.flush();
      },
      close: () => this.end(),
      abort: () => this.reset(),
    }));
  }

  // ---- TLS ----

  /**
   * Upgrade this plain connection to TLS and resolve with the secure socket to use from then
   * on; this one is then closed for use (its state `"closed"`), the connection lives on in the
   * new one (and in its server's `connections`). What was queued goes out as plaintext first.
   *
   * - A client socket (STARTTLS, Postgres' SSLRequest) takes `connect`'s `tls` options: `true`
   *   or none verifies the server against the runtime's roots and the target's host name. The
   *   connect `timeout` and `signal` bound the handshake, as they bound connect's.
   * - An accepted socket (SMTP, IMAP, XMPP servers) takes `listen`'s: `cert` and `key` are
   *   required. Write the go-ahead and call `startTls` in the same tick (do not await between
   *   them): a byte that arrives before the call is taken for pipelined plaintext.
   *
   * Call it with no read pending: after reading the peer's answer, leave the loop (or release
   * the `readable`'s reader). Refused with `ETLS`, and the connection closed, while received
   * plaintext is unread: bytes that arrived after the server's go-ahead (on a client, the
   * CVE-2021-23222 class) or after the client's request (on a server, CVE-2011-0411) would
   * otherwise be taken as sent over TLS. That includes what a framing decoder read past the
   * go-ahead, whether its `decode` loop was left (which gives it back) or `startTls` is called
   * from inside it. A failed handshake is `ETLS` (or `ECONNRESET` where the runtime only sees
   * the connection go), and closes the connection too.
   * **Note:** see `capabilities.tlsUpgrade` (client), `capabilities.tlsServerUpgrade` (server)
   * and `capabilities.tlsUpgradeBeforeData`: on Deno a client needs a byte from the peer first
   * (an answer or a greeting), else `ENOTSUP`.
   */
  startTls(options?: boolean | TlsClientOptions): Promise<Socket>;
  /** An accepted socket's upgrade, with `listen`'s TLS options: see the client's above. */
  startTls(options: TlsServerOptions): Promise<Socket>;
  async startTls(options?: boolean | TlsClientOptions | TlsServerOptions): Promise<Socket> {
    if (this.role === "server") return this.#startTlsServer(options);
    requireCapability(this.#platform, "tlsUpgrade", "startTls()");
    const peer = this.remoteAddress;
    const hostname = this.#rare?.servername ?? (peer.transport === "unix" ? "" : peer.hostname);
    const tls = normalizeTlsClient("options", options ?? true, hostname);
    checkTlsClientSupported(tls, this.#platform);
    const upgrade = this.#handle.startTls;
    if (!upgrade) throw notSupported("startTls()", this.#platform.runtime);
    return this.#upgrade(() => upgrade.call(this.#handle, tls));
  }

  /** A server's STARTTLS: the options are checked as `listen({ tls })`'s, before any I/O. */
  async #startTlsServer(options: unknown): Promise<Socket> {
    const tls = normalizeTlsServer("options", options);
    const what = "startTls() on an accepted socket";
    requireCapability(this.#platform, "tlsServerUpgrade", what);
    checkTlsServerSupported(tls, this.#platform);
    const upgrade = this.#handle.startTlsServer;
    if (!upgrade) throw notSupported(what, this.#platform.runtime);
    return this.#upgrade(() => upgrade.call(this.#handle, tls));
  }

  /** Either side's upgrade, once its options are checked: `start` runs the driver's handshake. */
  async #upgrade(start: () => Promise<StreamHandle>): Promise<Socket> {
    if (this.secure) {
      throw new SocketError("ETLS", "the socket is already TLS", {
        syscall: "startTls",
        address: this.remoteAddress,
      });
    }
    if (this.#queue?.waiting === true || this.#reader !== undefined) {
      throw new TypeError(
        "startTls() while the socket is being read: leave the loop (or stop read()) first",
      );
    }
    // Reading on demand, a read is pending for nobody until the first chunk arrives (so that a
    // peer's FIN or RST is noticed on a socket nobody reads), or after a `readable` was
    // cancelled while it waited; the runtime cannot take it back.
    if (this.#has(Flag.OnDemand) && !this.#has(Flag.Paused)) {
      requireCapability(
        this.#platform,
        "tlsUpgradeBeforeData",
        this.#received === undefined
          ? "startTls() before the peer has sent anything"
          : "startTls() while a read is pending (a readable cancelled mid-read)",
      );
    }
    this.#refuseUnread();
    await this.flush();
    if (this.#state !== "open") throw this.#closedError("startTls");
    // Nothing more is read as plaintext: what the driver hands over from now on is the peer's
    // TLS (or an injection, which the check below refuses).
    this.#set(Flag.Paused, true);
    this.#handle.pause();
    this.#refuseUnread();
    const secure = await this.#handshake(start);
    const options = {
      highWaterMark: this.#highWaterMark,
      allowHalfOpen: this.#has(Flag.AllowHalfOpen),
      idleTimeout: this.#idleTimeout,
    };
    const next = new Socket(secure, options, this.role, this.#platform, {
      signal: this.#rare?.signal,
    });
    this.#handOver(next);
    return next;
  }

  /**
   * The driver's handshake (`start`), bounded as connect's is: the connect `timeout` (a client's)
   * and the socket's signal end the socket (`#fail`), which gives the upgrade up at once.
   */
  async #handshake(start: () => Promise<StreamHandle>): Promise<StreamHandle> {
    const stopped = new Promise<never>((_, reject) => (this.#more.stopUpgrade = reject));
    const timeout = this.#rare?.handshakeTimeout ?? 0;
    const timer =
      timeout > 0
        ? setTimeout(() => {
            this.#fail(
              new SocketError("ETIMEDOUT", `the TLS handshake timed out after ${timeout} ms`, {
                syscall: "startTls",
                address: this.remoteAddress,
              }),
            );
          }, timeout)
        : undefined;
    let upgrading: Promise<StreamHandle> | undefined;
    try {
      upgrading = start();
      return await Promise.race([upgrading, stopped]);
    } catch (error) {
      // A TLS stream that comes after all is not wanted.
      upgrading?.then(
        (secure) => secure.close(),
        () => {},
      );
      // The driver hands this socket nothing more: it ends here, with the handshake's error
      // (or the timeout's, or the abort's), whether or not the driver's close still reports.
      if (error instanceof SocketError) this.#more.failure ??= error;
      this.#handle.close();
      this.#onClose(undefined);
      throw this.#rare?.failure ?? error;
    } finally {
      this.#more.stopUpgrade = undefined;
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  /** `ETLS`, and the connection closed, while received plaintext is unread. */
  #refuseUnread(): void {
    // Also what a decode loop still running (startTls from inside it) holds undelivered.
    const unreadBytes = this.#buffered + (this[decoding]?.buffered ?? 0);
    if (this.#unreadChunks === 0 && unreadBytes === 0) return;
    const when = this.role === "client" ? "after the server's answer" : "with the client's request";
    const error = new SocketError(
      "ETLS",
      `refusing to start TLS: ${unreadBytes} bytes of plaintext arrived ${when} and are unread`,
      { syscall: "startTls", address: this.remoteAddress },
    );
    this.#fail(error);
    throw error;
  }

  /**
   * The connection now belongs to `next`: this socket ends, quietly, and whoever kept it (its
   * server) keeps `next` instead.
   */
  #handOver(next: Socket): void {
    const owner = this[whenClosed];
    this[whenClosed] = undefined;
    this.#set(Flag.ClosedByUser, true);
    this.#onClose(undefined);
    owner?.(this, next);
  }

  // ---- options ----

  /**
   * TCP_NODELAY on or off (on by default: see {@link StreamOptions.noDelay}). Does nothing
   * once closed.
   *
   * @throws TypeError for a non-boolean.
   */
  setNoDelay(enable = true): this {
    checkBoolean("enable", enable);
    if (this.#state !== "closed") this.#handle.setNoDelay(enable);
    return this;
  }

  /**
   * TCP keepalive on or off; `delayMs` is the silence before the first probe (the system's
   * when omitted). Does nothing once closed.
   *
   * **Note:** a `delayMs` is `ENOTSUP` where the runtime cannot set it
   * (`capabilities.keepAliveDelay`; Deno): call it without one there. On a TLS socket it is
   * `ENOTSUP` where the runtime's TLS connections have no keepalive (`capabilities.tlsKeepAlive`; Deno).
   * @throws TypeError or RangeError for a bad argument.
   */
  setKeepAlive(enable = true, delayMs?: number): this {
    checkBoolean("enable", enable);
    if (delayMs !== undefined) {
      checkMilliseconds("delayMs", delayMs);
      requireCapability(this.#platform, "keepAliveDelay", "setKeepAlive(enable, delayMs)");
    }
    if (this.secure)
      requireCapability(this.#platform, "tlsKeepAlive", "setKeepAlive() on a TLS socket");
    if (this.#state !== "closed") this.#handle.setKeepAlive(enable, delayMs);
    return this;
  }

  /**
   * Close with `ETIMEDOUT` after `idleMs` (from 0 to 2^31 − 1) without a byte either way;
   * `0` turns it off. Replaces `idleTimeout`.
   *
   * **Note:** unlike node:net's `setTimeout`, which only emits an event, the socket is closed.
   * @throws TypeError or RangeError for a bad `idleMs`.
   */
  setTimeout(idleMs: number): this {
    checkMilliseconds("idleMs", idleMs);
    const rare = this.#more;
    rare.idleTimeout = idleMs;
    if (rare.idleTimer !== undefined) clearTimeout(rare.idleTimer);
    rare.idleTimer = undefined;
    if (idleMs > 0 && this.#state !== "closed") {
      rare.lastActivity = Date.now();
      this.#armIdle(idleMs);
    }
    return this;
  }

  // Re-arming a timer on every chunk costs; instead the timer checks the last activity when it fires.
  #armIdle(ms: number): void {
    const rare = this.#more;
    rare.idleTimer = startTimer(() => {
      const idleFor = Date.now() - rare.lastActivity;
      const limit = rare.idleTimeout;
      if (limit === 0 || this.#state === "closed") return;
      if (idleFor >= limit) {
        this.#fail(
          new SocketError("ETIMEDOUT", `no activity for ${limit} ms`, {
            syscall: "idle",
            address: this.remoteAddress,
          }),
        );
      } else {
        this.#armIdle(limit - idleFor);
      }
    }, ms);
  }

  /** Keep the process alive while the socket is open (the default); undoes `unref()`. */
  ref(): this {
    this.#handle.ref();
    return this;
  }

  /** Let the process exit while the socket is open. */
  unref(): this {
    this.#handle.unref();
    return this;
  }

  /** `close()`, for `await using socket = await connect(…)`. */
  [asyncDispose](): Promise<void> {
    return this.close();
  }

  /** @internal */
  snapshot(): MonitorEntry {
    return {
      id: this.id,
      kind: "socket",
      role: this.role,
      transport: this.transport,
      secure: this.secure,
      localAddress: this.localAddress,
      remoteAddress: this.remoteAddress,
      state: this.#state,
      stats: this.stats,
      age: msSinceLoad() - this.#openedAt,
    };
  }
}
