// TCP and Unix streams over Deno.connect: https://docs.deno.com/api/deno/~/Deno.connect
// (accepted ones come from server.ts).
//
// What Deno cannot do (each is a `capabilities` flag):
// - send an RST: there is no SO_LINGER, so `reset()` closes with a FIN (`reset`);
// - a keepalive delay: `setKeepAlive` takes a boolean only (`keepAliveDelay`);
// - SO_SNDBUF / SO_RCVBUF (`streamBufferSize`);
// - connect from a chosen local address (`connectLocalAddress`);
// - Unix sockets on Windows (`unix`), abstract Unix names outside Linux (`unixAbstract`).
// Deno's reads and writes are promises, and a write may be short: the handle writes one
// chunk at a time, in full, and is `busy` meanwhile; a read fills a buffer the handle owns.
// A read once issued cannot be taken back, and Deno.startTls refuses a connection with one
// pending, so a plain TCP client connection, the one kind that can be upgraded, reads on
// demand once its first chunk has come (`readsOnDemand`; see tls.ts).
// A TLS connection (Deno.TlsConn) has neither setNoDelay nor setKeepAlive (deno#13617): its
// TCP_NODELAY is whatever the TCP connection had when TLS started (`tlsServerNoDelay`).
import {
  kernelPath,
  notSupported,
  sinkBorrows,
  sinkClose,
  sinkData,
  sinkDrain,
  sinkEnd,
  tlsCloseLimit,
} from "@omnisock/core/driver";
import type {
  NormalizedConnectOptions,
  NormalizedStreamOptions,
  NormalizedTlsClientOptions,
  SocketAddress,
  SocketError,
  StreamHandle,
  StreamSink,
  TlsInfo,
} from "@omnisock/core/driver";
import { socketAddress } from "./address.js";
import { type Conn, deno, type TlsConn } from "./deno.js";
import { ChunkArena } from "./arena.js";
import { isTruncation, toSocketError } from "./error.js";
import { abortable } from "./abortable.js";
import { secureClient } from "./tls.js";

// A read needs its buffer before any byte arrives, so an idle connection holds one: small
// at first, full size once a read fills it. Measured on Deno 2.9 over loopback, 64 KiB reads
// move ~20% more than 16 KiB ones; copying out of the reused buffer beats a new buffer per
// read (ping-pong 24 µs against 35 µs: a fresh buffer must be zeroed). The first is 1 KiB,
// not 4: each of 10,000 idle connections holds it (3 KiB of resident memory less per
// connection and side, bench S6); a first message longer than that costs one more read.
const FIRST_READ = 1024;
const FULL_READ = 64 * 1024;
// A read at least this long is handed over in place, as a view of the part of the buffer it
// landed in, and the next read goes into the rest of that buffer while at least as much is
// left, then into a new one: no later read writes into a chunk handed over. No copy, and one
// new buffer (which must be zeroed) per several reads. A TLS read is one record, at most
// 16 KiB, so a buffer takes four. A chunk the consumer keeps keeps its whole buffer alive, at
// most four times its own size. A shorter read is copied (arena.ts), so that a small chunk
// kept does not hold 64 KiB.
const HAND_OVER = 16 * 1024;

// One arena for every stream's short reads: their copies land one after another, in memory
// the last ones have just warmed. With an arena per connection, each connection's next bytes
// were a line that had left the cache since that connection last read (bench S3 on Deno, 100
// connections ping-ponging: 0.2–0.7 µs less CPU per round trip on the server). A chunk kept
// still keeps only its block alive, and an idle connection now holds no block of its own.
const chunks = new ChunkArena();

interface StreamKind {
  readonly tls?: TlsInfo;
  readonly upgradable?: boolean;
  readonly noDelay?: boolean;
  /** An accepted connection's local address, known from its listener (`acceptedLocal`). */
  readonly local?: SocketAddress | undefined;
}

export class DenoStream implements StreamHandle {
  readonly localAddress: SocketAddress;
  readonly remoteAddress: SocketAddress;
  readonly #conn: Conn;
  #sink: StreamSink | undefined;
  #closed = false;
  #error: SocketError | undefined;
  #writing = false;
  #shutdownPending = false;
  /** The close_notify and FIN, once `closeWrite()` has been asked for. */
  #writeClosing: Promise<void> | undefined;
  /** A TLS close waiting for its close_notify to go out. */
  #closing = false;
  /** TCP_NODELAY as set on the TCP connection (before TLS, on a TLS one: it cannot change). */
  #noDelay = false;
  #paused = false;
  #wake: (() => void) | undefined;
  /** Aborted by `close()` while `startTls` runs: the handshake is given up. */
  #upgrading: AbortController | undefined;

  /** What TLS agreed on; `undefined` on a plain stream. */
  readonly tls: TlsInfo | undefined;
  readonly readsOnDemand: boolean;

  /**
   * `tls` for a TLS connection, whose TCP connection had TCP_NODELAY `noDelay` when TLS
   * started; `upgradable` for a plain TCP client connection.
   */
  constructor(conn: Conn, { tls, upgradable = false, noDelay = false, local }: StreamKind = {}) {
    this.#conn = conn;
    this.localAddress = local ?? socketAddress(conn.localAddr);
    this.remoteAddress = socketAddress(conn.remoteAddr);
    this.tls = tls;
    this.#noDelay = noDelay;
    this.readsOnDemand = upgradable;
  }

  /**
   * Only on a plain TCP client connection: Deno.startTls takes no other (a Unix one is
   * BadResource). A getter, so that a connection holds no function for it until asked.
   */
  get startTls(): ((options: NormalizedTlsClientOptions) => Promise<StreamHandle>) | undefined {
    return this.readsOnDemand ? (options) => this.#upgrade(options) : undefined;
  }

  /**
   * STARTTLS over the same path as connect's TLS. Core has paused reading, and as this handle
   * reads on demand no read is pending, which Deno.startTls requires.
   */
  async #upgrade(options: NormalizedTlsClientOptions): Promise<StreamHandle> {
    this.#upgrading = new AbortController();
    const secured = await secureClient(this.#conn, options, this.#upgrading.signal).catch(
      (error: unknown) => {
        throw toSocketError(error, { syscall: "handshake", address: this.remoteAddress });
      },
    );
    // The connection is the TLS stream's now: this handle goes quiet, its read loop ends.
    this.#upgrading = undefined;
    this.#closed = true;
    this.#sink = undefined;
    this.#wake?.();
    return new DenoStream(secured.conn, { tls: secured.info, noDelay: this.#noDelay });
  }

  start(sink: StreamSink): void {
    this.#sink = sink;
    if (this.#closed) sink[sinkClose](this.#error);
    else void this.#readLoop();
  }

  async #readLoop(): Promise<void> {
    const conn = this.#conn;
    let buffer = new Uint8Array(FIRST_READ);
    // Where the next read lands in `buffer`: what is before it was handed over.
    let offset = 0;
    // The bytes of the last short read, as a view of `room`. A ping-pong's reads are all one
    // length into one room, and this view serves again as the borrowed chunk or the copy's
    // source: no object per read (bench S2 on Deno).
    let landed = buffer.subarray(0, 0);
    let landedIn = buffer;
    try {
      for (;;) {
        if (this.#paused) await new Promise<void>((wake) => (this.#wake = wake));
        if (this.#closed) return;
        if (this.#paused) continue;
        const room = offset === 0 ? buffer : buffer.subarray(offset);
        const length = await conn.read(room);
        if (this.#closed) return;
        if (length === null) return this.#sink![sinkEnd]();
        const sink = this.#sink!;
        const borrows = sink[sinkBorrows];
        if (length >= HAND_OVER && !borrows) {
          const end = offset + length;
          const chunk = buffer.subarray(offset, end);
          if (buffer.length - end >= HAND_OVER) offset = end;
          else {
            buffer = new Uint8Array(FULL_READ);
            offset = 0;
          }
          sink[sinkData](chunk);
          continue;
        }
        if (length > 0) {
          if (landedIn !== room || landed.byteLength !== length) {
            landed = room.subarray(0, length);
            landedIn = room;
          }
          // A handler that only borrows the chunk is done with it when the call returns: the
          // next read lands in the same memory, as in a plain `conn.read(buffer)` loop. Else a
          // copy: the next read overwrites `room`, and a chunk handed over is the engine's.
          sink[sinkData](borrows ? landed : chunks.copy(landed));
        }
        if (length === room.length && length < FULL_READ) {
          buffer = new Uint8Array(FULL_READ);
          offset = 0;
        }
      }
    } catch (error) {
      // A TLS peer that closed the TCP connection without close_notify: a truncation to rustls
      // (UnexpectedEof), the end of the stream to node:tls and Bun, and so to omnisock (README, TLS).
      if (this.tls !== undefined && !this.#closed && isTruncation(error))
        return this.#sink![sinkEnd]();
      this.#finish(toSocketError(error, { syscall: "read", address: this.remoteAddress }));
    }
  }

  write(data: Uint8Array): number {
    // One chunk in flight: while it is, nothing more is taken and `drain` follows.
    if (this.#writing) return 0;
    if (this.#closed || this.#closing) return data.length;
    this.#writing = true;
    void this.#writeAll(data);
    return data.length;
  }

  async #writeAll(data: Uint8Array): Promise<void> {
    try {
      let written = await this.#conn.write(data);
      while (written < data.length) written += await this.#conn.write(data.subarray(written));
    } catch (error) {
      this.#finish(toSocketError(error, { syscall: "write", address: this.remoteAddress }));
      return;
    }
    this.#writing = false;
    if (this.#closed) return;
    if (this.#shutdownPending) this.#closeWrite();
    this.#sink?.[sinkDrain]();
  }

  get busy(): boolean {
    return this.#writing;
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#wake?.();
    this.#wake = undefined;
  }

  shutdown(): void {
    if (this.#closed) return;
    if (this.#writing) this.#shutdownPending = true;
    else this.#closeWrite();
  }

  #closeWrite(): void {
    this.#shutdownPending = false;
    // On a TLS connection this sends close_notify first.
    this.#writeClosing = this.#conn.closeWrite();
    this.#writeClosing.catch((error: unknown) => {
      this.#finish(toSocketError(error, { syscall: "shutdown", address: this.remoteAddress }));
    });
  }

  close(): void {
    if (this.#closed || this.#closing) return;
    if (this.tls === undefined) return this.#finish(undefined);
    // A TLS connection ends with close_notify, or the peer may read a truncation. Deno's close()
    // sends it only later, from the connection's destructor, and not at all if the process
    // exits first: so closeWrite() (close_notify, then FIN) and close once it is out.
    this.#closing = true;
    this.#shutdownPending = false;
    const sent = this.#writeClosing ?? this.#conn.closeWrite();
    const timer = setTimeout(() => this.#finish(undefined), tlsCloseLimit);
    const finish = (): void => {
      clearTimeout(timer);
      this.#finish(undefined);
    };
    sent.then(finish, finish);
  }

  reset(): void {
    // Deno has no SO_LINGER: the peer sees a FIN (capabilities.reset is false).
    this.#finish(undefined);
  }

  /** The one way out: closes the connection and tells the sink, once. */
  #finish(error: SocketError | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#error = error;
    try {
      this.#conn.close();
    } catch {
      // Already closed by Deno (BadResource), or taken by Deno.startTls.
    }
    this.#upgrading?.abort();
    // A pending read or write now rejects, and finds the handle closed.
    this.#wake?.();
    this.#sink?.[sinkClose](error);
  }

  setNoDelay(enable: boolean): void {
    if (this.tls === undefined) {
      this.#conn.setNoDelay?.(enable); // absent on a Unix connection, which has no Nagle
      this.#noDelay = enable;
    } else if (enable !== this.#noDelay) {
      throw notSupported(
        `setNoDelay(${enable}) on a TLS socket`,
        "deno",
        "Deno's TLS connections cannot set TCP_NODELAY, deno#13617: a TLS client's is the connect option's",
      );
    }
  }

  setKeepAlive(enable: boolean, delayMs: number | undefined): void {
    if (enable && delayMs !== undefined) {
      throw notSupported("setKeepAlive with a delay", "deno", "Deno's setKeepAlive takes no delay");
    }
    this.#conn.setKeepAlive?.(enable);
  }

  ref(): void {
    this.#conn.ref();
  }

  unref(): void {
    this.#conn.unref();
  }
}

/** Every default is set here, not left to Deno, for connected and accepted sockets alike. */
function setDefaults(conn: Conn, options: NormalizedStreamOptions): void {
  conn.setNoDelay?.(options.noDelay);
  // keepAliveDelay never gets here (capabilities.keepAliveDelay is false): keepalive is off.
  conn.setKeepAlive?.(false);
}

/** An accepted TCP connection. */
export function tcpStream(
  conn: Conn,
  options: NormalizedStreamOptions,
  local?: SocketAddress,
): DenoStream {
  setDefaults(conn, options);
  return new DenoStream(conn, { noDelay: options.noDelay, local });
}

/**
 * An accepted TLS connection, its handshake over. Deno.listenTls hands over no TCP connection
 * to set options on, so it keeps the kernel's: keepalive off (omnisock's default too) and
 * Nagle's algorithm on, whatever `noDelay` says (capabilities.tlsServerNoDelay is false: an
 * explicit `noDelay: true` never gets here).
 */
export function secureStream(conn: TlsConn, info: TlsInfo): DenoStream {
  return new DenoStream(conn, { tls: info, noDelay: false });
}

export async function connect(
  options: NormalizedConnectOptions,
  signal: AbortSignal | undefined,
): Promise<StreamHandle> {
  const { target } = options;
  try {
    if (target.transport === "unix") {
      // Deno takes a signal for TCP connects only.
      return new DenoStream(
        await abortable(
          deno.connect({ transport: "unix", path: kernelPath(target) }),
          signal,
          (conn) => conn.close(),
        ),
      );
    }
    const conn = await deno.connect({
      transport: "tcp",
      // An IP literal: core resolved the name and races the addresses itself.
      hostname: target.hostname,
      port: target.port,
      ...(signal ? { signal } : {}),
    });
    try {
      setDefaults(conn, options);
      const { noDelay } = options;
      if (!options.tls) return new DenoStream(conn, { upgradable: true, noDelay });
      // TCP to the IP core chose, then TLS over it: Deno.connectTls would resolve the name
      // again. The options were set on the TCP connection, which the TLS one wraps.
      const { conn: secure, info } = await secureClient(conn, options.tls, signal);
      return new DenoStream(secure, { tls: info, noDelay });
    } catch (error) {
      try {
        conn.close();
      } catch {
        // Consumed by startTls, or already closed.
      }
      throw error;
    }
  } catch (error) {
    throw toSocketError(error, { syscall: "connect", address: target });
  }
}
