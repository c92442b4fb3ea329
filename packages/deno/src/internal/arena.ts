// Copies of received bytes, made cheaply. Allocating a buffer costs ~0.6 µs on Deno 2.9
// whatever its size (a 32-byte `slice()` included), a view of an existing one ~30 ns: small
// chunks are copied into a shared block and handed out as views of it. A view keeps its
// block alive, so blocks stay small; a large chunk gets its own buffer, whose cost is then
// small next to its copy.
const BLOCK = 16 * 1024;
const SMALL = 2 * 1024;

/**
 * Where every arena starts: one that never copies (a datagram socket that receives nothing, the
 * streams' shared one until their first short read) allocates no block.
 */
const NO_BLOCK = new Uint8Array(0);

export class ChunkArena {
  #block = NO_BLOCK;
  #offset = 0;

  /** A copy of `bytes` that nothing else writes to. */
  copy(bytes: Uint8Array): Uint8Array {
    const length = bytes.byteLength;
    if (length > SMALL) return bytes.slice();
    if (this.#offset + length > this.#block.byteLength) {
      this.#block = new Uint8Array(BLOCK);
      this.#offset = 0;
    }
    const start = this.#offset;
    this.#block.set(bytes, start);
    this.#offset = start + length;
    return this.#block.subarray(start, start + length);
  }
}
