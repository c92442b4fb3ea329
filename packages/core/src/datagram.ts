import { type HostAddress, type InetAddress, inetAddress } from "./address.js";
import { type Platform, requireCapability } from "./capabilities.js";
import type { DatagramHandle, DatagramSink } from "./driver.js";
import { SocketError } from "./error.js";
import { done, ReadQueue } from "./internal/read-queue.js";
import {
  alreadyReading,
  checkReadArguments,
  fulfilled,
  type ReadArguments,
  Reader,
  type ReaderHooks,
  readerHooks,
} from "./internal/reader.js";
import { asyncDispose, encode, nextId } from "./internal/timer.js";
import { type Monitored, type MonitorEntry, monitor, monitorActive, report } from "./monitor.js";
import type { JoinMulticastOptions, NormalizedBindOptions, ReadOptions } from "./options.js";
import { parseAddress } from "./parse-address.js";
import type { DatagramStats, SocketState } from "./types.js";
import {
  checkBoolean,
  checkData,
  checkHostname,
  checkIP,
  checkOptionsObject,
  checkPort,
  checkTargetFamily,
  checkTTL,
  describeValue,
} from "./check.js";

/** One datagram received, with who sent it. */
export interface Datagram {
  /** Its payload. */
  readonly data: Uint8Array;
  /**
   * Its sender, frozen; pass it back to `send` to reply. A run of datagrams from one sender
   * shares one object.
   */
  readonly remote: InetAddress;
}

/**
 * What {@link DatagramSocket.read} calls with each datagram, and the socket. A promise (any
 * thenable) it returns pauses delivery until it settles; datagrams that arrive meanwhile wait
 * in the receive queue, as they do for `for await`.
 */
export type DatagramHandler = (
  datagram: Datagram,
  socket: DatagramSocket,
) => void | PromiseLike<unknown>;

/**
 * Where to send: `"host:port"`, `"udp://host:port"`, `"[v6]:port"`, `{ hostname, port }`, or
 * an address the socket reported (a datagram's `remote`, another socket's `localAddress`). A
 * host name is resolved by the runtime at each send; the port must be from 1 to 65535.
 */
export type DatagramTarget =
  | string
  | {
      /** An IP address or a host name. */
      readonly hostname: string;
      /** From 1 to 65535. */
      readonly port: number;
    };

// The largest UDP payload: 65,535 minus the IP and UDP headers (IPv6 has no header in the payload limit).
const MAX_PAYLOAD = { 4: 65_507, 6: 65_527 } as const;

// What `send` returns when the datagram went out at once: one settled promise shared by every
// such send, rather than a new one per datagram (and a `read()` handler that returns it goes on
// at once).
const sent = fulfilled;

/** Lets `openDatagram` hand a socket what its driver received before the socket existed. */
const sinkOf = Symbol("omnisock.sink");

/**
 * Bind through the driver and make the socket. Datagrams the driver delivers before the
 * socket exists (it may, between resolving and our continuation) are handed over once it does.
 */
export async function openDatagram(
  bind: (sink: DatagramSink) => Promise<DatagramHandle>,
  options: NormalizedBindOptions,
  platform: Platform,
): Promise<DatagramSocket> {
  let socket: DatagramSocket | undefined;
  const early: (() => void)[] = [];
  const sink: DatagramSink = {
    message: (data, hostname, port) =>
      socket
        ? socket[sinkOf].message(data, hostname, port)
        : early.push(() => socket![sinkOf].message(data, hostname, port)),
    sent: (bytes) => socket?.[sinkOf].sent(bytes),
    error: (error) =>
      socket ? socket[sinkOf].error(error) : early.push(() => socket![sinkOf].error(error)),
  };
  socket = new DatagramSocket(await bind(sink), options, platform);
  for (const deliver of early) deliver();
  return socket;
}

/**
 * A UDP socket, from {@link Omnisock.bind}. Receive with
 * `for await (const { data, remote } of socket)`, or `await socket.read(handler)` (a call per
 * datagram, no promise: the faster form); datagrams that arrive while the receive
 * queue is full (`receiveQueueSize`) are dropped and counted in `stats.packetsDropped`.
 *
 * A method called after `close()` fails with `ECLOSED`; the setters fail with `ENOTSUP`
 * where the runtime cannot honour them (see each).
 */
export class DatagramSocket implements AsyncIterable<Datagram>, Monitored {
  /** Unique in the process and never reused: the `id` of its monitor entry and events. */
  readonly id: number = nextId();
  /** The address it is bound to, with the port the system picked for port 0. */
  readonly localAddress: InetAddress;
  /** Settles when the socket is closed. */
  readonly closed: Promise<void>;

  readonly #handle: DatagramHandle;
  readonly #options: NormalizedBindOptions;
  readonly #platform: Platform;
  #remoteAddress: InetAddress | undefined;
  /** The sender of the last datagram received: a run of datagrams from one sender shares one `remote`. */
  #lastRemote: InetAddress | undefined;
  /**
   * The last target and its checked form. An echo server sends each reply to the `remote` it
   * was just given (the same frozen object while the sender stays the same): checked once.
   */
  #lastTarget: DatagramTarget | undefined;
  #lastAddress: HostAddress | undefined;
  #state: SocketState = "open";
  /** Closed, and the runtime has let go: nothing more will be queued. */
  #ended = false;
  readonly #resolveClosed: () => void;
  readonly #queue = new ReadQueue<Datagram>("socket");
  /** The `read(handler)` under way, if any. */
  #reader: Reader<Datagram, DatagramSocket> | undefined;
  #paused = false;
  #bytesSent = 0;
  #bytesReceived = 0;
  #packetsSent = 0;
  #packetsReceived = 0;
  #packetsDropped = 0;
  readonly #openedAt = Date.now();
  #closedAt: number | undefined;

  /** @internal Datagram sockets come from `bind()`. */
  constructor(handle: DatagramHandle, options: NormalizedBindOptions, platform: Platform) {
    this.#handle = handle;
    this.#platform = platform;
    this.#options = options;
    this.localAddress = handle.localAddress;
    let resolveClosed!: () => void;
    this.closed = new Promise((resolve) => (resolveClosed = resolve));
    this.#resolveClosed = resolveClosed;
    monitor.add(this);
    if (monitorActive.value) {
      monitor.emit({
        type: "listen",
        id: this.id,
        kind: "datagram",
        time: Date.now(),
        localAddress: this.localAddress,
      });
    }
    const signal = options.signal;
    if (signal) {
      const onAbort = () => void this.close();
      signal.addEventListener("abort", onAbort, { once: true });
      void this.closed.then(() => signal.removeEventListener("abort", onAbort));
    }
  }

  /** The peer after `connect()`, else `undefined`. */
  get remoteAddress(): InetAddress | undefined {
    return this.#remoteAddress;
  }

  /** `"open"`, then `"closed"` once `close()` is called. */
  get state(): SocketState {
    return this.#state;
  }

  /** The counters so far: a new object each time. */
  get stats(): DatagramStats {
    return {
      bytesSent: this.#bytesSent,
      bytesReceived: this.#bytesReceived,
      packetsSent: this.#packetsSent,
      packetsReceived: this.#packetsReceived,
      packetsDropped: this.#packetsDropped,
      openedAt: this.#openedAt,
      closedAt: this.#closedAt,
    };
  }

  /**
   * Send one datagram; resolves once the kernel has it. `target` is required unless the
   * socket is connected, and refused when it is. A datagram over the UDP limit (65,507
   * bytes on IPv4, 65,527 on IPv6) is `EMSGSIZE`, never a truncated send.
   *
   * Every failure is a rejection, never a throw: a TypeError or RangeError for bad `data` or
   * `target`, `ECLOSED` after `close()`, `EMSGSIZE`, and the runtime's failure to send
   * (`EHOSTUNREACH`, `ENETUNREACH`, `ENOTFOUND` for a name, `EACCES` for a broadcast address
   * without `broadcast`, …).
   *
   * @param data The payload; a string is sent as UTF-8.
   * @param target Where to send; omitted on a connected socket.
   */
  send(data: Uint8Array | string, target?: DatagramTarget): Promise<void> {
    // Not an async function: a datagram the runtime sends at once then costs no promise of its
    // own, and one it sends later only the driver's. A bad argument or a failed send is still a
    // rejection, not a throw. The driver counts what it sent through `sink.sent`.
    try {
      checkData("data", data);
      const bytes = typeof data === "string" ? encode(data) : data;
      return this.#handle.send(bytes, this.#checkSend(bytes, target)) ?? sent;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The target to hand the driver, once every check that needs no I/O has passed. */
  #checkSend(bytes: Uint8Array, target: DatagramTarget | undefined): HostAddress | undefined {
    const address = target === undefined ? undefined : this.#toTarget(target);
    if (address === undefined && !this.#remoteAddress) {
      throw new TypeError('The "target" argument is required: the socket is not connected');
    }
    if (address !== undefined && this.#remoteAddress) {
      throw new TypeError('The "target" argument must be omitted: the socket is connected');
    }
    this.#assertOpen("send");
    const limit = MAX_PAYLOAD[this.#options.family];
    if (bytes.byteLength > limit) {
      throw new SocketError(
        "EMSGSIZE",
        `a datagram of ${bytes.byteLength} bytes exceeds the UDP limit of ${limit}`,
        {
          syscall: "send",
          address:
            this.#remoteAddress ??
            (address && {
              ...address,
              family: address.family ?? (this.#options.family === 6 ? "IPv6" : "IPv4"),
            }),
        },
      );
    }
    return address;
  }

  #toTarget(target: DatagramTarget): HostAddress {
    if (target === this.#lastTarget) return this.#lastAddress!;
    const address = toTarget(target);
    // Only a target that cannot have changed since it was checked is remembered: a string, or
    // a frozen object (every address omnisock reports is one).
    if (typeof target === "string" || Object.isFrozen(target)) {
      this.#lastTarget = target;
      this.#lastAddress = address;
    }
    return address;
  }

  /**
   * Connected UDP: send to `target` without naming it, and receive only its datagrams.
   * Resolves once connected, with `remoteAddress` set. A socket connects once.
   *
   * **Note:** `ENOTSUP` where the runtime cannot (`capabilities.udpConnect`); where the
   * runtime has no connected UDP socket (Deno) omnisock filters received datagrams itself, so
   * the behaviour is the same. Bun connects only a new socket: the socket is made again on the
   * same address and port, and datagrams the kernel held for it unread are lost.
   *
   * @throws TypeError or RangeError for a malformed `target`; `ECLOSED` after `close()`;
   *   `EIO` when it is connected already (each a rejection).
   */
  async connect(target: DatagramTarget): Promise<void> {
    const address = toTarget(target);
    requireCapability(this.#platform, "udpConnect", "connect() on a datagram socket");
    this.#assertOpen("connect");
    if (this.#remoteAddress)
      throw new SocketError("EIO", "the socket is already connected", { syscall: "connect" });
    this.#remoteAddress = await this.#handle.connect(address);
    if (monitorActive.value) {
      monitor.emit({
        type: "connect",
        id: this.id,
        kind: "datagram",
        time: Date.now(),
        remoteAddress: this.#remoteAddress,
      });
    }
  }

  /**
   * SO_BROADCAST: allow sending to a broadcast address.
   *
   * **Note:** `ENOTSUP` where the runtime cannot (`capabilities.broadcast`).
   * @throws TypeError for a non-boolean; `ECLOSED` after `close()`.
   */
  setBroadcast(enable: boolean): void {
    checkBoolean("enable", enable);
    requireCapability(this.#platform, "broadcast", "setBroadcast()");
    this.#assertOpen("setBroadcast");
    this.#handle.setBroadcast(enable);
  }

  /**
   * IP_TTL for unicast datagrams, from 1 to 255.
   *
   * **Note:** `ENOTSUP` where the runtime cannot (`capabilities.ttl`; Deno).
   * @throws TypeError or RangeError for a bad `ttl`; `ECLOSED` after `close()`.
   */
  setTTL(ttl: number): void {
    checkTTL("ttl", ttl);
    requireCapability(this.#platform, "ttl", "setTTL()");
    this.#assertOpen("setTTL");
    this.#handle.setTTL(ttl);
  }

  /**
   * IP_MULTICAST_TTL, from 1 to 255.
   *
   * **Note:** `ENOTSUP` where the runtime cannot (`capabilities.multicastOptions`; Deno).
   * @throws TypeError or RangeError for a bad `ttl`; `ECLOSED` after `close()`.
   */
  setMulticastTTL(ttl: number): void {
    checkTTL("ttl", ttl);
    requireCapability(this.#platform, "multicastOptions", "setMulticastTTL()");
    this.#assertOpen("setMulticastTTL");
    this.#handle.setMulticastTTL(ttl);
  }

  /**
   * IP_MULTICAST_LOOP: receive this host's own multicast datagrams.
   *
   * **Note:** `ENOTSUP` where the runtime cannot (`capabilities.multicastOptions`; Deno).
   * @throws TypeError for a non-boolean; `ECLOSED` after `close()`.
   */
  setMulticastLoopback(enable: boolean): void {
    checkBoolean("enable", enable);
    requireCapability(this.#platform, "multicastOptions", "setMulticastLoopback()");
    this.#assertOpen("setMulticastLoopback");
    this.#handle.setMulticastLoopback(enable);
  }

  /**
   * The interface multicast datagrams leave by, as its IP address.
   *
   * **Note:** `ENOTSUP` where the runtime cannot (`capabilities.multicastOptions`; Deno).
   * @throws TypeError for an `address` that is not an IP address; `ECLOSED` after `close()`.
   */
  setMulticastInterface(address: string): void {
    checkIP("address", address);
    requireCapability(this.#platform, "multicastOptions", "setMulticastInterface()");
    this.#assertOpen("setMulticastInterface");
    this.#handle.setMulticastInterface(address);
  }

  /**
   * Join a multicast group; with `source`, receive only that source's datagrams (SSM).
   * Resolves once joined. Bad arguments (a `group`, `interface` or `source` that is not an IP
   * address), `ENOTSUP` and `ECLOSED` reject before anything is tried; a failure to join
   * (`EADDRNOTAVAIL` for an interface that is not this host's, …) rejects too, on every
   * runtime.
   *
   * **Note:** `ENOTSUP` where the runtime cannot (`capabilities.multicast`, and
   * `capabilities.multicastSource` with a `source`).
   */
  async joinMulticast(group: string, options?: JoinMulticastOptions): Promise<void> {
    const { source, iface } = this.#membership(group, options);
    this.#assertOpen("joinMulticast");
    await this.#handle.addMembership(group, source, iface);
  }

  /**
   * Leave a multicast group joined with the same `options`; resolves once left. Fails as
   * {@link DatagramSocket.joinMulticast} does.
   */
  async leaveMulticast(group: string, options?: JoinMulticastOptions): Promise<void> {
    const { source, iface } = this.#membership(group, options);
    this.#assertOpen("leaveMulticast");
    await this.#handle.dropMembership(group, source, iface);
  }

  #membership(group: string, options: JoinMulticastOptions | undefined) {
    checkIP("group", group);
    const raw = checkOptionsObject("options", options, ["interface", "source"]);
    const iface =
      raw.interface === undefined ? undefined : checkIP("options.interface", raw.interface);
    const source = raw.source === undefined ? undefined : checkIP("options.source", raw.source);
    if (source === undefined)
      requireCapability(this.#platform, "multicast", "multicast membership");
    else requireCapability(this.#platform, "multicastSource", "source-specific multicast");
    return { source, iface };
  }

  #assertOpen(syscall: string): void {
    if (this.#state === "closed") {
      throw new SocketError("ECLOSED", "the datagram socket is closed", {
        syscall,
        address: this.localAddress,
      });
    }
  }

  /** @internal */
  readonly [sinkOf]: DatagramSink = {
    message: (data, hostname, port) => {
      const remoteAddress = this.#remoteAddress;
      // Where the runtime cannot connect a datagram socket, the driver filters nothing: do it here.
      if (remoteAddress && (port !== remoteAddress.port || hostname !== remoteAddress.hostname))
        return;
      let remote = this.#lastRemote;
      if (remote === undefined || remote.port !== port || remote.hostname !== hostname) {
        remote = this.#lastRemote = inetAddress("udp", hostname, port);
      }
      this.#bytesReceived += data.byteLength;
      this.#packetsReceived++;
      if (monitorActive.value) {
        monitor.emit({
          type: "receive",
          id: this.id,
          kind: "datagram",
          time: Date.now(),
          bytes: data.byteLength,
          remoteAddress: remote,
        });
      }
      const queue = this.#queue;
      const datagram = { data, remote };
      const reader = this.#reader;
      if (reader !== undefined) {
        if (!reader.busy && queue.length === 0) return void reader.deliver(datagram);
      } else if (queue.give(datagram)) return;
      if (queue.length >= this.#options.receiveQueueSize) {
        this.#packetsDropped++;
        if (!this.#paused && this.#handle.pause) {
          this.#paused = true;
          this.#handle.pause();
        }
        return;
      }
      queue.push(datagram);
    },
    sent: (bytes) => {
      this.#bytesSent += bytes;
      this.#packetsSent++;
      if (monitorActive.value) {
        monitor.emit({ type: "send", id: this.id, kind: "datagram", time: Date.now(), bytes });
      }
    },
    // An asynchronous datagram error (an ICMP "port unreachable" on a connected socket) has no
    // caller to reject; like the datagram it concerns, it is gone, and only the monitor sees it.
    error: (error) => {
      if (monitorActive.value)
        monitor.emit({ type: "error", id: this.id, kind: "datagram", time: Date.now(), error });
    },
  };

  /**
   * Receive by callback: `handler` is called with each datagram as it arrives, oldest first,
   * and with this socket; resolves once the socket is closed and every datagram queued before
   * has been handed over. The same queue, counters and monitor events as `for await`, without
   * a promise per datagram.
   *
   * - A promise the handler returns holds delivery until it settles (datagrams wait in the
   *   receive queue meanwhile; past `receiveQueueSize` they are dropped and counted).
   * - Stop with `options.signal`: nothing more reaches the handler, `read()` resolves once its
   *   last call is over, and what arrives afterwards waits for the next reader.
   * - What the handler throws, or a promise it returned rejects with, stops delivery too:
   *   `read()` rejects with it, and the socket stays open.
   * - One reader at a time: while `read()` runs, another `read()` or a `for await` is a
   *   TypeError. The handler is never called before `read()` returns, nor after its promise
   *   settles.
   *
   * @param handler Called with each datagram; see {@link DatagramHandler}.
   * @param options `signal` to stop.
   * @returns Settles when reading is over (each failure, bad arguments included, is a rejection).
   */
  read(handler: DatagramHandler, options?: ReadOptions): Promise<void> {
    let checked: ReadArguments;
    try {
      checked = checkReadArguments(handler, options);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#reader !== undefined || this.#queue.waiting) return Promise.reject(alreadyReading());
    if (checked.signal?.aborted) return Promise.resolve();
    const { reader, promise } = Reader.start<Datagram, DatagramSocket>(handler, this, checked);
    this.#reader = reader;
    // What is queued (or the end) goes to the handler once this call has returned.
    void sent.then(() => this.#pumpReader(reader));
    return promise;
  }

  /** @internal */
  get [readerHooks](): ReaderHooks<Datagram, DatagramSocket> {
    return DatagramSocket.#readerHooks;
  }

  static readonly #readerHooks: ReaderHooks<Datagram, DatagramSocket> = {
    next: (socket, reader) => socket.#pumpReader(reader),
    stop: (socket, reader, failed, error) => {
      if (socket.#reader !== reader) return;
      socket.#reader = undefined;
      reader.finish(failed, error);
    },
  };

  /** Hand `reader` what is queued while it takes datagrams at once; then the end, or wait. */
  #pumpReader(reader: Reader<Datagram, DatagramSocket>): void {
    const queue = this.#queue;
    while (this.#reader === reader && !reader.busy) {
      if (reader.stopping) return DatagramSocket.#readerHooks.stop(this, reader, false, undefined);
      const datagram = queue.shift();
      if (datagram === undefined) {
        if (this.#ended) {
          this.#reader = undefined;
          reader.finish(false);
        }
        return;
      }
      reader.deliver(datagram);
      // After the delivery, so that a datagram the runtime hands over inside resume() cannot
      // overtake this one.
      this.#resumeReading();
    }
  }

  /** A datagram left a full queue: the runtime may read again. */
  #resumeReading(): void {
    if (this.#paused) {
      this.#paused = false;
      this.#handle.resume?.();
    }
  }

  /**
   * Datagrams as they arrive, oldest first; ends when the socket closes. Breaking out does
   * not close it. One reader at a time: a second read while one waits is a TypeError.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<Datagram> {
    const iterator: AsyncIterableIterator<Datagram> = {
      next: () => {
        if (this.#reader !== undefined) return Promise.reject(alreadyReading());
        const datagram = this.#queue.shift();
        if (datagram !== undefined) {
          this.#resumeReading();
          return Promise.resolve({ value: datagram, done: false });
        }
        if (this.#state === "closed") return Promise.resolve(done);
        return this.#queue.wait();
      },
      return: () => Promise.resolve(done),
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /**
   * Close the socket: nothing more is received, and the iteration ends once the datagrams
   * already queued are read. Resolves once the runtime has released the socket; calling it
   * again is harmless.
   */
  async close(): Promise<void> {
    if (this.#state === "closed") return this.closed;
    this.#state = "closed";
    this.#closedAt = Date.now();
    try {
      await this.#handle.close();
    } catch (error) {
      report("closing a datagram socket", error, this);
    }
    this.#ended = true;
    this.#queue.release(done);
    const reader = this.#reader;
    if (reader !== undefined && !reader.busy) this.#pumpReader(reader);
    monitor.delete(this);
    if (monitorActive.value)
      monitor.emit({
        type: "close",
        id: this.id,
        kind: "datagram",
        time: this.#closedAt,
        stats: this.stats,
      });
    this.#resolveClosed();
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

  /** `close()`, for `await using socket = await bind(…)`. */
  [asyncDispose](): Promise<void> {
    return this.close();
  }

  /** @internal */
  snapshot(): MonitorEntry {
    return {
      id: this.id,
      kind: "datagram",
      role: "datagram",
      transport: "udp",
      secure: false,
      localAddress: this.localAddress,
      remoteAddress: this.#remoteAddress,
      state: this.#state,
      stats: this.stats,
      age: Date.now() - this.#openedAt,
    };
  }
}

function toTarget(target: DatagramTarget): HostAddress {
  let address: HostAddress;
  if (typeof target === "string") {
    const parsed = parseAddress(target, "udp");
    if (parsed.transport !== "udp") {
      throw new TypeError(`The "target" argument must be a UDP address. Received "${target}"`);
    }
    address = parsed;
  } else {
    // "family" is allowed so that a reported address (`socket.localAddress`, `remote`) can be passed back.
    const raw = checkOptionsObject("target", target, ["hostname", "port", "transport", "family"]);
    if (raw.transport !== undefined && raw.transport !== "udp") {
      throw new TypeError(
        `The "target.transport" argument must be "udp". Received ${describeValue(raw.transport)}`,
      );
    }
    const hostname = checkHostname("target.hostname", raw.hostname);
    const family = checkTargetFamily("target", hostname, raw.family);
    address = { transport: "udp", hostname, port: checkPort("target.port", raw.port), family };
  }
  if (address.hostname === "")
    throw new TypeError(`The "target" argument must name a host. Received ""`);
  checkPort("target.port", address.port, { allowZero: false });
  return address;
}
