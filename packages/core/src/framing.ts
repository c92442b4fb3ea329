/**
 * Framing: turning a byte stream into messages and back.
 *
 * TCP has no message boundaries: "Hello" + "SFML" written as two messages may be read as
 * "HelloSFML" or as "Hel" + "loSFML". A codec puts the boundaries back, whatever the split.
 */
import { SocketError } from "./error.js";
import { checkBoolean, checkOptionsObject, checkPositiveInteger, describeValue } from "./check.js";

/** A push decoder, for callers who read chunks themselves. */
export interface Decoder<Message> {
  /**
   * Feed the next chunk; returns the messages it completes, in order (often none, sometimes
   * many). A peer's fault (`EMSGSIZE`) is thrown at once, or at the next call when the same
   * chunk first completed some messages; after it the decoder is done.
   */
  push(chunk: Uint8Array): Message[];
  /** Bytes received since the last complete message. */
  readonly buffered: number;
  /**
   * Call at the end of the stream. Throws `EIO` if a partial message remains; for `lines`
   * with `emitTrailing`, returns the last unterminated line instead.
   */
  end(): Message[];
}

/**
 * Frames messages for writing and finds them again in a byte stream.
 *
 * Byte messages that lie wholly inside one received chunk are views (`subarray`) of that
 * chunk, not copies: they share its memory. The socket engine never reuses a chunk's memory,
 * so this is safe for `decode(socket)`; a caller who pushes into a {@link Decoder} and then
 * reuses the chunk's buffer must copy (`message.slice()`) what it keeps.
 */
export interface Codec<Message> {
  /** Frame one message for writing: returns the bytes to write. */
  encode(message: Message): Uint8Array;
  /**
   * Turn a byte stream (such as a `Socket`) into messages. Ends when the stream ends on a
   * message boundary. Stopping early (`break`) leaves the source open (a `Socket` is not
   * closed by leaving its loop); bytes the decoder had read past the last message are dropped.
   */
  decode(source: AsyncIterable<Uint8Array>): AsyncIterableIterator<Message>;
  /** A fresh push decoder: one per stream. */
  decoder(): Decoder<Message>;
}

export interface FramingOptions {
  /**
   * The largest message accepted, in bytes. A peer that sends more gets `EMSGSIZE` before
   * anything is allocated for it; `encode` of a larger message is a RangeError.
   * @default 1_048_576 (1 MiB)
   */
  maxMessageSize?: number;
}

export interface LinesOptions extends FramingOptions {
  /**
   * `"utf-8"` gives strings (invalid sequences become U+FFFD); `"bytes"` gives Uint8Arrays.
   * @default "utf-8"
   */
  encoding?: "utf-8" | "bytes";
  /** At the end of the stream, return a last line that has no "\n" instead of failing. @default false */
  emitTrailing?: boolean;
}

export interface LengthPrefixedOptions extends FramingOptions {
  /** Bytes in the length header: 1, 2 or 4 (u8, u16, u32). @default 4 */
  width?: 1 | 2 | 4;
  /** Read and write the header little-endian. @default false (network order) */
  littleEndian?: boolean;
  /** The header counts only the body; a header that counts itself is not supported. @default false */
  includesHeader?: false;
}

const defaultMaxMessageSize = 1_048_576;
// The most a u32 header can announce, and far past what one message should be.
const largestMaxMessageSize = 0xffff_ffff;
const newline = 0x0a;
const carriageReturn = 0x0d;

const utf8Encoder = new TextEncoder();
// Each line is decoded on its own, so a default decoder would strip a U+FEFF from the start of every line.
const utf8Decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * Messages separated by "\n"; a "\r" before it is dropped, so CRLF input works. `encode`
 * appends "\n". `maxMessageSize` counts the bytes before the "\n", a "\r" included.
 */
export function lines(options?: LinesOptions & { encoding?: "utf-8" }): Codec<string>;
export function lines(options: LinesOptions & { encoding: "bytes" }): Codec<Uint8Array>;
export function lines(options?: LinesOptions): Codec<string | Uint8Array>;
export function lines(options?: LinesOptions): Codec<string | Uint8Array> {
  const checked = checkOptionsObject("options", options, [
    "maxMessageSize",
    "encoding",
    "emitTrailing",
  ]);
  const maxMessageSize = option(
    checked,
    "maxMessageSize",
    defaultMaxMessageSize,
    checkMaxMessageSize,
  );
  const encoding = option(checked, "encoding", "utf-8", oneOf(["utf-8", "bytes"]));
  const emitTrailing = option(checked, "emitTrailing", false, checkBoolean);
  const delimiter = Uint8Array.of(newline);
  const decoder = () => new DelimiterDecoder(delimiter, maxMessageSize, emitTrailing);

  if (encoding === "bytes") {
    return codec<Uint8Array>(
      (message) => {
        checkBytes(message);
        checkLine(message);
        return frameWithDelimiter(message, delimiter, maxMessageSize);
      },
      () => mapDecoder(decoder(), stripCarriageReturn),
    );
  }
  return codec<string>(
    (message) => {
      if (typeof message !== "string") throw messageTypeError("a string", message);
      // Appending before encoding costs one allocation instead of two.
      const frame = utf8Encoder.encode(`${message}\n`);
      const line = frame.subarray(0, -1);
      checkSize(line.length, maxMessageSize);
      checkLine(line);
      return frame;
    },
    () => mapDecoder(decoder(), (line) => utf8Decoder.decode(stripCarriageReturn(line))),
  );
}

/** Messages separated by `delimiter` (one or more bytes; a string is UTF-8), which `encode` appends. */
export function delimited(
  delimiter: Uint8Array | string,
  options?: FramingOptions,
): Codec<Uint8Array> {
  if (typeof delimiter === "string") delimiter = utf8Encoder.encode(delimiter);
  else if (!(delimiter instanceof Uint8Array)) {
    throw new TypeError(
      `The "delimiter" argument must be a Uint8Array or a string. Received ${describeValue(delimiter)}`,
    );
  }
  if (delimiter.length === 0) throw new RangeError(`The "delimiter" argument must not be empty`);
  // Copied, so that a caller who later changes their array cannot change the framing.
  const pattern = delimiter.slice();
  const checked = checkOptionsObject("options", options, ["maxMessageSize"]);
  const maxMessageSize = option(
    checked,
    "maxMessageSize",
    defaultMaxMessageSize,
    checkMaxMessageSize,
  );
  return codec<Uint8Array>(
    (message) => {
      checkBytes(message);
      const frame = frameWithDelimiter(message, pattern, maxMessageSize);
      // Searched in the whole frame: with a delimiter such as "aba", the message "ab" would
      // complete a delimiter early, and a peer would read "" then garbage.
      if (new DelimiterSearch(pattern).next(frame, 0) !== frame.length) {
        throw new RangeError(`The message contains the delimiter, so the peer would split it`);
      }
      return frame;
    },
    () => new DelimiterDecoder(pattern, maxMessageSize, false),
  );
}

/** Messages each preceded by their length in a 1, 2 or 4-byte unsigned header, big-endian by default. */
export function lengthPrefixed(options?: LengthPrefixedOptions): Codec<Uint8Array> {
  const checked = checkOptionsObject("options", options, [
    "width",
    "littleEndian",
    "maxMessageSize",
    "includesHeader",
  ]);
  const width = option(checked, "width", 4, oneOf([1, 2, 4]));
  const littleEndian = option(checked, "littleEndian", false, checkBoolean);
  option(checked, "includesHeader", false, oneOf([false]));
  const maxMessageSize = option(
    checked,
    "maxMessageSize",
    defaultMaxMessageSize,
    checkMaxMessageSize,
  );
  const widthMax = 2 ** (8 * width) - 1;
  return codec<Uint8Array>(
    (message) => {
      checkBytes(message);
      if (message.length > widthMax) {
        throw new RangeError(
          `A message of ${message.length} bytes does not fit a ${width}-byte length (at most ${widthMax})`,
        );
      }
      checkSize(message.length, maxMessageSize);
      const frame = new Uint8Array(width + message.length);
      writeLength(frame, width, littleEndian, message.length);
      frame.set(message, width);
      return frame;
    },
    () => new LengthDecoder(width, littleEndian, maxMessageSize),
  );
}

// ---- codecs and decoders ----

function codec<Message>(
  encode: (message: Message) => Uint8Array,
  decoder: () => Decoder<Message>,
): Codec<Message> {
  return {
    encode,
    decoder,
    async *decode(source) {
      const messages = decoder();
      // for-await calls the source's return() when the consumer breaks or push throws; a
      // Socket's leaves the socket open, and its reading pauses once its buffer is full.
      for await (const chunk of source) yield* messages.push(chunk);
      yield* messages.end();
    },
  };
}

function mapDecoder<From, To>(inner: Decoder<From>, map: (message: From) => To): Decoder<To> {
  return {
    push: (chunk) => inner.push(chunk).map(map),
    get buffered() {
      return inner.buffered;
    },
    end: () => inner.end().map(map),
  };
}

/** The shared part of the byte decoders: the pending bytes, and staying failed after a fault. */
abstract class ByteDecoder implements Decoder<Uint8Array> {
  protected readonly queue = new ChunkQueue();
  #failure: SocketError | undefined;

  abstract get buffered(): number;
  /** Append the messages `chunk` completes to `messages`; throw on a peer's fault. */
  protected abstract frame(chunk: Uint8Array, messages: Uint8Array[]): void;
  protected abstract finish(): Uint8Array[];

  push(chunk: Uint8Array): Uint8Array[] {
    if (this.#failure) throw this.#failure;
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError(
        `The "chunk" argument must be a Uint8Array. Received ${describeValue(chunk)}`,
      );
    }
    this.queue.push(chunk);
    const messages: Uint8Array[] = [];
    try {
      this.frame(chunk, messages);
    } catch (error) {
      if (!(error instanceof SocketError)) throw error;
      // Deliver what the peer framed correctly before its fault; the fault comes next call.
      this.#failure = error;
      if (messages.length === 0) throw error;
    }
    return messages;
  }

  end(): Uint8Array[] {
    if (this.#failure) throw this.#failure;
    return this.finish();
  }
}

class DelimiterDecoder extends ByteDecoder {
  readonly #search: DelimiterSearch;
  readonly #delimiterLength: number;
  readonly #maxMessageSize: number;
  readonly #emitTrailing: boolean;

  constructor(delimiter: Uint8Array, maxMessageSize: number, emitTrailing: boolean) {
    super();
    this.#search = new DelimiterSearch(delimiter);
    this.#delimiterLength = delimiter.length;
    this.#maxMessageSize = maxMessageSize;
    this.#emitTrailing = emitTrailing;
  }

  get buffered(): number {
    return this.queue.length;
  }

  protected frame(chunk: Uint8Array, messages: Uint8Array[]): void {
    // Only `chunk` is searched: earlier bytes were searched when they arrived, and a
    // delimiter they began is carried by the search's partial match.
    let end = this.#search.next(chunk, 0);
    while (end !== -1) {
      // The message is everything queued before this delimiter.
      const size = this.queue.length - (chunk.length - end) - this.#delimiterLength;
      if (size > this.#maxMessageSize) {
        throw tooLarge(`A message of ${size} bytes`, this.#maxMessageSize);
      }
      messages.push(this.queue.take(size));
      this.queue.drop(this.#delimiterLength);
      end = this.#search.next(chunk, end);
    }
    // A partial delimiter at the end is not message, so a message of exactly the limit passes.
    const pending = this.queue.length - this.#search.matched;
    if (pending > this.#maxMessageSize) {
      throw tooLarge(`${pending} bytes without a delimiter`, this.#maxMessageSize);
    }
  }

  protected finish(): Uint8Array[] {
    const size = this.queue.length;
    if (size === 0) return [];
    if (this.#emitTrailing) return [this.queue.take(size)];
    throw endedInside(`${size} bytes and no delimiter`);
  }
}

class LengthDecoder extends ByteDecoder {
  readonly #width: 1 | 2 | 4;
  readonly #littleEndian: boolean;
  readonly #maxMessageSize: number;
  /** The body length from a header already read, or -1 while waiting for a header. */
  #expected = -1;

  constructor(width: 1 | 2 | 4, littleEndian: boolean, maxMessageSize: number) {
    super();
    this.#width = width;
    this.#littleEndian = littleEndian;
    this.#maxMessageSize = maxMessageSize;
  }

  get buffered(): number {
    return this.queue.length + (this.#expected === -1 ? 0 : this.#width);
  }

  protected frame(_chunk: Uint8Array, messages: Uint8Array[]): void {
    for (;;) {
      if (this.#expected === -1) {
        if (this.queue.length < this.#width) return;
        const length = readLength(this.queue.take(this.#width), this.#width, this.#littleEndian);
        // Checked before any of the body is awaited: a header claiming 4 GiB costs nothing.
        if (length > this.#maxMessageSize) {
          throw tooLarge(`A header announcing ${length} bytes`, this.#maxMessageSize);
        }
        this.#expected = length;
      }
      if (this.queue.length < this.#expected) return;
      messages.push(this.queue.take(this.#expected));
      this.#expected = -1;
    }
  }

  protected finish(): Uint8Array[] {
    if (this.buffered === 0) return [];
    throw endedInside(
      this.#expected === -1
        ? `${this.queue.length} bytes of a ${this.#width}-byte header`
        : `${this.queue.length} bytes of ${this.#expected}`,
    );
  }
}

/**
 * The bytes received but not yet framed, kept as the chunks they came in: nothing is copied
 * unless a message spans two chunks, and then it is copied once.
 */
class ChunkQueue {
  #chunks: Uint8Array[] = [];
  /** The index of the first chunk still holding bytes. */
  #head = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  /** Remove the first `count` bytes: a view when they lie in one chunk, else a copy. */
  take(count: number): Uint8Array {
    const first = this.#chunks[this.#head];
    if (first !== undefined && first.length >= count) {
      this.drop(count);
      return first.subarray(0, count);
    }
    const bytes = new Uint8Array(count);
    this.drop(count, bytes);
    return bytes;
  }

  /** Remove the first `count` bytes, copying them into `target` when given. */
  drop(count: number, target?: Uint8Array): void {
    this.#length -= count;
    for (let copied = 0; copied < count;) {
      const first = this.#chunks[this.#head]!;
      const used = Math.min(first.length, count - copied);
      target?.set(first.subarray(0, used), copied);
      copied += used;
      if (used === first.length) this.#head++;
      else this.#chunks[this.#head] = first.subarray(used);
    }
    // Spent slots are reclaimed in batches: shift() per chunk is linear in the array's length.
    if (this.#head === this.#chunks.length) {
      this.#chunks = [];
      this.#head = 0;
    } else if (this.#head > 64 && this.#head * 2 > this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#head = 0;
    }
  }
}

/**
 * Finds a delimiter in bytes fed piece by piece (Knuth–Morris–Pratt): each byte is looked
 * at once, even when a delimiter straddles two chunks.
 */
class DelimiterSearch {
  readonly #pattern: Uint8Array;
  /** For each prefix of the pattern, the length of its longest proper prefix that is also its suffix. */
  readonly #fallback: Uint32Array;
  #matched = 0;

  constructor(pattern: Uint8Array) {
    this.#pattern = pattern;
    this.#fallback = new Uint32Array(pattern.length);
    for (let index = 1, length = 0; index < pattern.length; index++) {
      while (length > 0 && pattern[index] !== pattern[length]) length = this.#fallback[length - 1]!;
      if (pattern[index] === pattern[length]) length++;
      this.#fallback[index] = length;
    }
  }

  /** Bytes of a delimiter begun at the end of the last search. */
  get matched(): number {
    return this.#matched;
  }

  /** The index just past the next whole delimiter in `bytes` from `from`, or -1. */
  next(bytes: Uint8Array, from: number): number {
    const pattern = this.#pattern;
    let matched = this.#matched;
    for (let index = from; index < bytes.length; index++) {
      if (matched === 0) {
        // The native scan to the next candidate; for a one-byte delimiter it is the whole search.
        index = bytes.indexOf(pattern[0]!, index);
        if (index === -1) break;
      }
      const byte = bytes[index];
      while (matched > 0 && byte !== pattern[matched]) matched = this.#fallback[matched - 1]!;
      if (byte === pattern[matched]) matched++;
      if (matched === pattern.length) {
        this.#matched = 0;
        return index + 1;
      }
    }
    this.#matched = matched;
    return -1;
  }
}

// ---- helpers ----

function frameWithDelimiter(
  message: Uint8Array,
  delimiter: Uint8Array,
  maxMessageSize: number,
): Uint8Array {
  checkSize(message.length, maxMessageSize);
  const frame = new Uint8Array(message.length + delimiter.length);
  frame.set(message);
  frame.set(delimiter, message.length);
  return frame;
}

function stripCarriageReturn(line: Uint8Array): Uint8Array {
  return line.at(-1) === carriageReturn ? line.subarray(0, -1) : line;
}

/** A line the peer would read back differently is refused: it could smuggle a second message. */
function checkLine(line: Uint8Array): void {
  if (line.indexOf(newline) !== -1 || line.at(-1) === carriageReturn) {
    throw new RangeError(`A line must not contain "\\n" or end with "\\r"`);
  }
}

function readLength(header: Uint8Array, width: 1 | 2 | 4, littleEndian: boolean): number {
  const view = new DataView(header.buffer, header.byteOffset, width);
  if (width === 1) return view.getUint8(0);
  return width === 2 ? view.getUint16(0, littleEndian) : view.getUint32(0, littleEndian);
}

function writeLength(
  frame: Uint8Array,
  width: 1 | 2 | 4,
  littleEndian: boolean,
  length: number,
): void {
  const view = new DataView(frame.buffer, frame.byteOffset, width);
  if (width === 1) view.setUint8(0, length);
  else if (width === 2) view.setUint16(0, length, littleEndian);
  else view.setUint32(0, length, littleEndian);
}

/** `options[key]` checked, or `fallback` when it is undefined. */
function option<Value>(
  options: Record<string, unknown>,
  key: string,
  fallback: Value,
  check: (name: string, value: unknown) => Value,
): Value {
  const value = options[key];
  return value === undefined ? fallback : check(`options.${key}`, value);
}

function checkMaxMessageSize(name: string, value: unknown): number {
  return checkPositiveInteger(name, value, largestMaxMessageSize);
}

function oneOf<const Allowed extends readonly unknown[]>(allowed: Allowed) {
  return (name: string, value: unknown): Allowed[number] => {
    if (allowed.includes(value)) return value;
    const message = `The "${name}" argument must be one of ${allowed.map(describeValue).join(", ")}. Received ${describeValue(value)}`;
    // The right type but not on the list is out of range; anything else is the wrong type.
    throw typeof value === typeof allowed[0] ? new RangeError(message) : new TypeError(message);
  };
}

function checkBytes(message: unknown): asserts message is Uint8Array {
  if (!(message instanceof Uint8Array)) throw messageTypeError("a Uint8Array", message);
}

function messageTypeError(expected: string, message: unknown): TypeError {
  return new TypeError(
    `The "message" argument must be ${expected}. Received ${describeValue(message)}`,
  );
}

function checkSize(size: number, maxMessageSize: number): void {
  if (size > maxMessageSize) {
    throw new RangeError(`A message of ${size} bytes exceeds maxMessageSize (${maxMessageSize})`);
  }
}

function tooLarge(what: string, maxMessageSize: number): SocketError {
  return new SocketError("EMSGSIZE", `${what} exceeds maxMessageSize (${maxMessageSize})`, {
    syscall: "decode",
  });
}

function endedInside(detail: string): SocketError {
  return new SocketError("EIO", `stream ended inside a message (${detail})`, { syscall: "decode" });
}
