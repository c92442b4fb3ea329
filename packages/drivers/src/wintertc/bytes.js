// @ts-check
// What the WinterTC clients share: a reader that takes exact byte counts and lines from a
// socket's `readable`, and byte helpers. Web APIs only (no node:*, no Buffer), as in a Worker.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 bytes of `text`. */
export const utf8 = (/** @type {string} */ text) => encoder.encode(text);

/** `bytes` as UTF-8 text. */
export const text = (/** @type {Uint8Array} */ bytes) => decoder.decode(bytes);

/** The parts, one after another. */
export function concat(/** @type {Uint8Array[]} */ parts) {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/** Base64 of `bytes` (btoa and atob are on every runtime, as in Workers). */
export const base64 = (/** @type {Uint8Array} */ bytes) =>
  btoa(Array.from(bytes, (byte) => String.fromCharCode(byte)).join(""));

export const fromBase64 = (/** @type {string} */ encoded) =>
  Uint8Array.from(atob(encoded), (char) => char.charCodeAt(0));

/**
 * Reads a byte stream in the pieces a protocol asks for. It holds the stream's reader until
 * `release()`; whatever it has buffered beyond what was asked for stays in `buffered`.
 */
export class ByteReader {
  /** @type {ReadableStreamDefaultReader<Uint8Array>} */
  #reader;
  /** @type {Uint8Array} */
  #buffer = new Uint8Array(0);
  #offset = 0;

  /** @param {ReadableStream<Uint8Array>} readable */
  constructor(readable) {
    this.#reader = readable.getReader();
  }

  /** Bytes received and not yet taken. */
  get buffered() {
    return this.#buffer.byteLength - this.#offset;
  }

  /** One chunk more from the stream; the peer's end before it is an error. */
  async #fill() {
    const { value, done } = await this.#reader.read();
    if (done) throw new Error("the server closed the connection");
    this.#buffer =
      this.buffered === 0 ? value : concat([this.#buffer.subarray(this.#offset), value]);
    this.#offset = 0;
  }

  /** The next `count` bytes. */
  async take(/** @type {number} */ count) {
    while (this.buffered < count) await this.#fill();
    const bytes = this.#buffer.subarray(this.#offset, this.#offset + count);
    this.#offset += count;
    return bytes;
  }

  /** The next line, without its CRLF, as text. */
  async line() {
    // Bytes after the offset already known to start no CRLF (kept across a fill, which moves
    // the unread bytes to the front).
    let scanned = 0;
    for (;;) {
      const buffer = this.#buffer;
      for (let at = this.#offset + scanned; at + 1 < buffer.byteLength; at++) {
        if (buffer[at] === 0x0d && buffer[at + 1] === 0x0a) {
          const line = text(buffer.subarray(this.#offset, at));
          this.#offset = at + 2;
          return line;
        }
      }
      scanned = Math.max(0, this.buffered - 1);
      await this.#fill();
    }
  }

  /** Gives the stream's reader back (nothing may be left buffered that someone still needs). */
  release() {
    this.#reader.releaseLock();
  }
}
