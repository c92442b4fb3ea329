import type { StreamHandle } from "../driver.js";
import { encoder } from "./timer.js";

/** Writes smaller than this are copied into a slab, so that a tick's worth leaves in one system call. */
export const COALESCE_LIMIT = 16 * 1024;
/**
 * A socket's first slab is small and each new one doubles, up to `SLAB_SIZE`: the slab stays
 * with the socket between writes, and a connection that writes a short message now and then
 * (most of 10,000 idle ones) should not hold 16 KiB for it. A stream of small writes reaches
 * the full size within a few ticks.
 */
export const FIRST_SLAB_SIZE = 1024;
const SLAB_SIZE = 16 * 1024;

/**
 * The bytes a stream socket has accepted and not yet handed to its driver, in order. Small
 * writes are copied into a slab, so that several leave as one chunk; a large one is queued
 * as it is (the caller must leave it unchanged until it is sent). Nothing is ever dropped:
 * what the driver does not take stays queued until it drains.
 */
export class WriteQueue {
  /** Bytes accepted and not yet handed to the driver. */
  queued = 0;
  /** The driver took less than it was given, or is busy: nothing more until it drains. */
  full = false;
  /** Chunks handed to the driver (a stream's `packetsSent`). */
  packets = 0;
  /** Bytes handed to the driver (a stream's `bytesSent`). */
  bytes = 0;

  readonly #handle: Pick<StreamHandle, "write" | "busy" | "allocate">;
  // Sealed chunks waiting for the driver (made when the first must wait), then the slab being
  // filled.
  #chunks: Uint8Array[] | undefined;
  #head = 0;
  #slab: Uint8Array | undefined;
  #slabStart = 0;
  #slabEnd = 0;
  /**
   * The last chunk handed to the driver from the slab's start. The slab rewinds once the driver
   * holds none of it (see `send`), and a ping-pong's next message of the same size is then the
   * same range: it goes out in this view again, one object fewer per write.
   */
  #lastChunk: Uint8Array | undefined;

  constructor(handle: Pick<StreamHandle, "write" | "busy" | "allocate">) {
    this.#handle = handle;
  }

  /** Queue a copy of `data`, or `data` itself when it is large. */
  stageBytes(data: Uint8Array): void {
    const length = data.byteLength;
    this.queued += length;
    if (length >= COALESCE_LIMIT) {
      this.#seal();
      (this.#chunks ??= []).push(data);
      return;
    }
    this.#reserve(length).set(data, this.#slabEnd);
    this.#slabEnd += length;
  }

  /** Queue `text` as UTF-8. */
  stageText(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    const worst = text.length * 3;
    if (worst >= COALESCE_LIMIT) return this.stageBytes(encoder.encode(text));
    const slab = this.#reserve(worst);
    const { written } = encoder.encodeInto(text, slab.subarray(this.#slabEnd));
    this.#slabEnd += written;
    this.queued += written;
  }

  /**
   * Hand the caller's bytes to the driver as they are (it keeps no reference to them), and
   * queue a copy of what it did not take. Returns the bytes taken. Only when nothing is queued.
   */
  writeThrough(data: Uint8Array): number {
    const taken = this.#hand(data);
    if (taken < data.byteLength) this.stageBytes(data.subarray(taken));
    return taken;
  }

  /** Hand queued bytes to the driver until it is full or nothing is left; returns how many. */
  send(): number {
    if (this.full) return 0;
    // The common case, a tick of small writes and nothing older waiting: one chunk.
    const chunks = this.#chunks;
    const sent =
      chunks === undefined || this.#head === chunks.length ? this.#sendSlab() : this.#sendChunks();
    this.queued -= sent;
    // The driver holds none of the slab's bytes any more: it can be filled from the start.
    if (this.queued === 0 && !this.full) this.#slabStart = this.#slabEnd = 0;
    return sent;
  }

  /** Drop everything queued (a reset, a failure). */
  clear(): void {
    this.#chunks = undefined;
    this.#head = 0;
    this.queued = 0;
    this.#slab = this.#lastChunk = undefined;
    this.#slabStart = this.#slabEnd = 0;
  }

  /** One chunk to the driver; how much it took. It is full if it took less, or is busy. */
  #hand(chunk: Uint8Array): number {
    const taken = this.#handle.write(chunk);
    if (taken > 0) {
      this.packets++;
      this.bytes += taken;
    }
    if (taken < chunk.byteLength || this.#handle.busy) this.full = true;
    return taken;
  }

  #sendSlab(): number {
    const slab = this.#slab;
    const start = this.#slabStart;
    const end = this.#slabEnd;
    if (!slab || end === start) return 0;
    let chunk = this.#lastChunk;
    if (start !== 0 || chunk?.byteLength !== end) {
      chunk = slab.subarray(start, end);
      if (start === 0) this.#lastChunk = chunk;
    }
    this.#slabStart = end;
    const taken = this.#hand(chunk);
    if (taken < chunk.byteLength) (this.#chunks ??= []).push(chunk.subarray(taken));
    return taken;
  }

  #sendChunks(): number {
    this.#seal();
    const chunks = this.#chunks!;
    let head = this.#head;
    let sent = 0;
    while (head < chunks.length) {
      const chunk = chunks[head]!;
      const taken = this.#hand(chunk);
      sent += taken;
      if (taken < chunk.byteLength) {
        chunks[head] = chunk.subarray(taken);
        break;
      }
      // Released as it goes: the queue may hold large chunks of the caller's.
      chunks[head] = undefined as never;
      head++;
      if (this.full) break;
    }
    if (head === chunks.length) {
      chunks.length = 0;
      head = 0;
    }
    this.#head = head;
    return sent;
  }

  /** The slab with room for `length` more bytes at `#slabEnd`. */
  #reserve(length: number): Uint8Array {
    const slab = this.#slab;
    if (slab && this.#slabEnd + length <= slab.byteLength) return slab;
    this.#seal();
    // Bytes handed to the driver may still be in its hands: a new slab, not a rewind.
    const size = Math.max(
      slab ? Math.min(slab.byteLength * 2, SLAB_SIZE) : FIRST_SLAB_SIZE,
      length,
    );
    this.#slab = this.#handle.allocate?.(size) ?? new Uint8Array(size);
    this.#lastChunk = undefined;
    this.#slabStart = this.#slabEnd = 0;
    return this.#slab;
  }

  #seal(): void {
    if (this.#slab && this.#slabEnd > this.#slabStart) {
      (this.#chunks ??= []).push(this.#slab.subarray(this.#slabStart, this.#slabEnd));
      this.#slabStart = this.#slabEnd;
    }
  }
}
