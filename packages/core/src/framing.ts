/**
 * Framing: turning a byte stream into messages and back.
 *
 * TCP has no message boundaries: "Hello" + "SFML" written as two messages may be read as
 * "HelloSFML" or as "Hel" + "loSFML". A codec puts the boundaries back, whatever the split.
 */
import { SocketError } from "./error.js";
import { checkBoolean, checkOptionsObject, checkPositiveInteger, describeValue } from "./check.js";
import { decoding, unread } from "./internal/read-queue.js";

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
   * Turn a byte stream (such as a `Socket`) into messages, one at a time. Ends when the stream
   * ends on a message boundary. Leaving the loop early (`break`, `return`, a throw in its body)
   * leaves the source open (a `Socket` is not closed by it) and gives a `Socket` back the bytes
   * the decoder had read but not delivered as messages: its next reader (`for await`,
   * `readable`, another `decode`) gets them first, so a protocol can switch framing, or
   * upgrade to TLS, mid-stream. From any other source those bytes are dropped. After a peer's
   * fault (`EMSGSIZE`, `EIO`) or the source's own error nothing is given back.
   */
  decode(source: AsyncIterable<Uint8Array>): AsyncIterableIterator<Message>;
  /** A fresh push decoder: one per stream. */
  decoder(): Decoder<Message>;
}

/** What every codec takes. */
export interface FramingOptions {
  /**
   * The largest message accepted, in bytes. A peer that sends more gets `EMSGSIZE` before
   * anything is allocated for it; `encode` of a larger message is a RangeError.
   * @default 1_048_576 (1 MiB)
   */
  maxMessageSize?: number;
}

/** What {@link lines} takes. */
export interface LinesOptions extends FramingOptions {
  /**
   * `"utf-8"` gives strings (invalid sequences become U+FFFD); `"bytes"` gives Uint8Arrays.
   * @default "utf-8"
   */
  encoding?: "utf-8" | "bytes";
  /** At the end of the stream, return a last line that has no "\n" instead of failing. @default false */
  emitTrailing?: boolean;
}

/** What {@link lengthPrefixed} takes. */
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
 *
 * `encode` refuses a line that holds a "\n" or ends with a "\r" (a `RangeError`: the peer
 * would read it as two lines, or differently), a line over `maxMessageSize` (a `RangeError`),
 * and a message of the wrong type (a `TypeError`). A peer's line over `maxMessageSize` is
 * `EMSGSIZE`; a stream that ends inside a line is `EIO` unless `emitTrailing` is set.
 *
 * @param options The largest line, the message type and what a last unterminated line does.
 * @returns A codec of strings (UTF-8), or of Uint8Arrays with `encoding: "bytes"`.
 * @throws TypeError or RangeError for a malformed or unknown option.
 */
export function lines(options?: LinesOptions & { encoding?: "utf-8" }): Codec<string>;
/** Lines as Uint8Arrays, without their "\n" (and "\r"): see above. */
export function lines(options: LinesOptions & { encoding: "bytes" }): Codec<Uint8Array>;
/** Lines as strings or Uint8Arrays, as `options.encoding` says: see above. */
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

  if (encoding === "bytes") {
    return codec<Uint8Array>(
      (message) => {
        checkBytes(message);
        checkLine(message);
        return frameWithDelimiter(message, delimiter, maxMessageSize);
      },
      () => new DelimiterDecoder(delimiter, maxMessageSize, emitTrailing, stripCarriageReturn),
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
    () =>
      new DelimiterDecoder(delimiter, maxMessageSize, emitTrailing, (line) =>
        utf8Decoder.decode(stripCarriageReturn(line)),
      ),
  );
}

/**
 * Messages separated by `delimiter` (one or more bytes; a string is UTF-8), which `encode`
 * appends. `encode` refuses a message that would contain the delimiter once framed (a
 * `RangeError`), as the peer would split it, and one over `maxMessageSize` (a `RangeError`).
 * A peer's message over `maxMessageSize` is `EMSGSIZE`; a stream that ends inside a message
 * is `EIO`.
 *
 * @param delimiter What separates messages, copied: changing it afterwards changes nothing.
 * @param options The largest message.
 * @returns A codec of Uint8Arrays.
 * @throws TypeError for a delimiter that is neither a Uint8Array nor a string, or a
 *   malformed or unknown option; RangeError for an empty delimiter or a `maxMessageSize` out
 *   of range.
 */
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
    () => new DelimiterDecoder(pattern, maxMessageSize, false, bytesAsTheyAre),
  );
}

/**
 * Messages each preceded by their length in a 1, 2 or 4-byte unsigned header, big-endian by
 * default; the header counts the body only. `encode` refuses a message longer than the
 * header can say or than `maxMessageSize` (a `RangeError`). A header announcing more than
 * `maxMessageSize` is `EMSGSIZE` before any of the body is awaited; a stream that ends inside
 * a header or a body is `EIO`.
 *
 * @param options The header's width and byte order, and the largest message.
 * @returns A codec of Uint8Arrays.
 * @throws TypeError or RangeError for a malformed or unknown option (a `width` other than 1,
 *   2 or 4, `includesHeader: true`).
 */
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
  decoder: () => PullDecoder<Message>,
): Codec<Message> {
  return {
    encode,
    decoder,
    async *decode(source) {
      const messages = decoder();
      // Whether the consumer holds a message: leaving from there (a break, a return, a throw
      // in its loop body) is leaving early, and what is still queued was never delivered.
      let delivering = false;
      // A Socket sees what this loop holds, so that a startTls() inside it refuses it too.
      const socket = lends(source) ? source : undefined;
      if (socket) socket[decoding] = messages;
      try {
        // for-await calls the source's return() when the loop is left; a Socket's leaves the
        // socket open, and its reading pauses once its buffer is full.
        for await (const chunk of source) {
          messages.feed(chunk);
          for (let message = messages.take(); message !== undefined; message = messages.take()) {
            delivering = true;
            yield message;
            delivering = false;
          }
        }
        yield* messages.end();
      } finally {
        if (socket?.[decoding] === messages) socket[decoding] = undefined;
        if (delivering) handBack(source, messages);
      }
    },
  };
}

/** A source that takes bytes back (a `Socket`). */
interface Lender {
  [unread](chunks: readonly Uint8Array[]): void;
  [decoding]: { readonly buffered: number } | undefined;
}

function lends(source: object): source is Lender {
  return typeof (source as { [unread]?: unknown })[unread] === "function";
}

/** Give a `Socket` the bytes `decoder` did not turn into messages, for its next reader. */
function handBack(source: AsyncIterable<Uint8Array>, decoder: PullDecoder<unknown>): void {
  if (lends(source)) source[unread](decoder.unconsumed());
}

/**
 * A decoder that frames lazily: `feed` queues a chunk and `take` cuts the next message out of
 * the queue. What stays queued is exactly what was received and not delivered — messages not
 * taken yet, a partial message, a partial delimiter or header — so `decode` can hand it back
 * when its consumer leaves early. `push` takes every message a chunk completes.
 */
abstract class PullDecoder<Message> implements Decoder<Message> {
  abstract get buffered(): number;
  /** Queue `chunk`; throws the peer's fault once there was one. */
  abstract feed(chunk: Uint8Array): void;
  /** The next message, cut out of the queue, or undefined until more arrives; throws a peer's fault. */
  abstract take(): Message | undefined;
  abstract end(): Message[];
  /** Remove and return the bytes not turned into messages, in order. */
  abstract unconsumed(): Uint8Array[];

  push(chunk: Uint8Array): Message[] {
    this.feed(chunk);
    const messages: Message[] = [];
    try {
      for (let message = this.take(); message !== undefined; message = this.take()) {
        messages.push(message);
      }
    } catch (error) {
      // Deliver what the peer framed correctly before its fault; the fault comes next call.
      if (!(error instanceof SocketError) || messages.length === 0) throw error;
    }
    return messages;
  }
}

/** The shared part of the byte decoders: the queued bytes, and staying failed after a fault. */
abstract class ByteDecoder<Message> extends PullDecoder<Message> {
  protected readonly queue = new ChunkQueue();
  #failure: SocketError | undefined;

  /** Cut the next message out of the queue, or return undefined; throw `fail(…)` on a peer's fault. */
  protected abstract cut(): Message | undefined;
  protected abstract finish(): Message[];

  feed(chunk: Uint8Array): void {
    if (this.#failure) throw this.#failure;
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError(
        `The "chunk" argument must be a Uint8Array. Received ${describeValue(chunk)}`,
      );
    }
    this.queue.push(chunk);
  }

  take(): Message | undefined {
    if (this.#failure) throw this.#failure;
    return this.cut();
  }

  end(): Message[] {
    if (this.#failure) throw this.#failure;
    return this.finish();
  }

  unconsumed(): Uint8Array[] {
    return this.queue.drain();
  }

  /** The peer's fault, remembered: every later call throws it. */
  protected fail(error: SocketError): SocketError {
    this.#failure = error;
    return error;
  }
}

class DelimiterDecoder<Message> extends ByteDecoder<Message> {
  readonly #search: DelimiterSearch;
  readonly #delimiterLength: number;
  readonly #maxMessageSize: number;
  readonly #emitTrailing: boolean;
  readonly #toMessage: (bytes: Uint8Array) => Message;
  /**
   * Where the search stopped: the queue's first `#searchedChunks` chunks, `#searched` bytes,
   * hold no delimiter (a delimiter they end with a part of is carried by the search's partial
   * match). Both are 0 after a message is cut: the search then starts at the queue's front.
   */
  #searchedChunks = 0;
  #searched = 0;

  constructor(
    delimiter: Uint8Array,
    maxMessageSize: number,
    emitTrailing: boolean,
    toMessage: (bytes: Uint8Array) => Message,
  ) {
    super();
    this.#search = new DelimiterSearch(delimiter);
    this.#delimiterLength = delimiter.length;
    this.#maxMessageSize = maxMessageSize;
    this.#emitTrailing = emitTrailing;
    this.#toMessage = toMessage;
  }

  get buffered(): number {
    return this.queue.length;
  }

  protected cut(): Message | undefined {
    const queue = this.queue;
    const count = queue.count;
    // Each byte is searched once: the search resumes in the first chunk it has not seen.
    for (let index = this.#searchedChunks; index < count; index++) {
      const chunk = queue.chunk(index);
      const from = index === 0 ? queue.offset : 0;
      const end = this.#search.next(chunk, from);
      if (end === -1) {
        this.#searched += chunk.length - from;
        continue;
      }
      // The message is everything queued before this delimiter.
      const size = this.#searched + (end - from) - this.#delimiterLength;
      if (size > this.#maxMessageSize) {
        throw this.fail(tooLarge(`A message of ${size} bytes`, this.#maxMessageSize));
      }
      const message = queue.take(size);
      queue.drop(this.#delimiterLength);
      this.#searchedChunks = 0;
      this.#searched = 0;
      return this.#toMessage(message);
    }
    this.#searchedChunks = count;
    // A partial delimiter at the end is not message, so a message of exactly the limit passes.
    const pending = this.#searched - this.#search.matched;
    if (pending > this.#maxMessageSize) {
      throw this.fail(tooLarge(`${pending} bytes without a delimiter`, this.#maxMessageSize));
    }
    return undefined;
  }

  protected finish(): Message[] {
    const size = this.queue.length;
    if (size === 0) return [];
    if (this.#emitTrailing) return [this.#toMessage(this.queue.take(size))];
    throw endedInside(`${size} bytes and no delimiter`);
  }
}

class LengthDecoder extends ByteDecoder<Uint8Array> {
  readonly #width: 1 | 2 | 4;
  readonly #littleEndian: boolean;
  readonly #maxMessageSize: number;
  /** The body length announced by the header at the queue's front, or -1 while that header is partial. */
  #expected = -1;

  constructor(width: 1 | 2 | 4, littleEndian: boolean, maxMessageSize: number) {
    super();
    this.#width = width;
    this.#littleEndian = littleEndian;
    this.#maxMessageSize = maxMessageSize;
  }

  get buffered(): number {
    return this.queue.length;
  }

  protected cut(): Uint8Array | undefined {
    const queue = this.queue;
    const width = this.#width;
    if (this.#expected === -1) {
      if (queue.length < width) return undefined;
      // The header is read where it lies and stays queued until its body is complete too.
      const length = readLength(queue, width, this.#littleEndian);
      // Checked before any of the body is awaited: a header claiming 4 GiB costs nothing.
      if (length > this.#maxMessageSize) {
        throw this.fail(tooLarge(`A header announcing ${length} bytes`, this.#maxMessageSize));
      }
      this.#expected = length;
    }
    if (queue.length - width < this.#expected) return undefined;
    queue.drop(width);
    const message = queue.take(this.#expected);
    this.#expected = -1;
    return message;
  }

  protected finish(): Uint8Array[] {
    const queued = this.queue.length;
    if (queued === 0) return [];
    throw endedInside(
      this.#expected === -1
        ? `${queued} bytes of a ${this.#width}-byte header`
        : `${queued - this.#width} bytes of ${this.#expected}`,
    );
  }
}

/**
 * The bytes received but not yet taken, kept as the chunks they came in: nothing is copied
 * unless a message spans two chunks, and then it is copied once.
 */
class ChunkQueue {
  #chunks: Uint8Array[] = [];
  /** The index of the first chunk still holding bytes. */
  #head = 0;
  /** Bytes already taken from the first chunk. */
  #offset = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  /** Chunks holding queued bytes. */
  get count(): number {
    return this.#chunks.length - this.#head;
  }

  /** Where the queued bytes of the first chunk begin. */
  get offset(): number {
    return this.#offset;
  }

  /** The `index`th chunk holding queued bytes, whole: the first one's begin at `offset`. */
  chunk(index: number): Uint8Array {
    return this.#chunks[this.#head + index]!;
  }

  /** The queued byte at `index` (which must be queued). */
  at(index: number): number {
    let position = this.#offset + index;
    for (let chunk = this.#head; ; chunk++) {
      const bytes = this.#chunks[chunk]!;
      if (position < bytes.length) return bytes[position]!;
      position -= bytes.length;
    }
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  /** Remove the first `count` bytes: a view when they lie in one chunk, else a copy. */
  take(count: number): Uint8Array {
    const first = this.#chunks[this.#head];
    const start = this.#offset;
    if (first !== undefined && first.length - start >= count) {
      this.drop(count);
      return first.subarray(start, start + count);
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
      const start = this.#offset;
      const used = Math.min(first.length - start, count - copied);
      target?.set(first.subarray(start, start + used), copied);
      copied += used;
      if (start + used === first.length) {
        this.#head++;
        this.#offset = 0;
      } else {
        this.#offset = start + used;
      }
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

  /** Remove and return every queued byte, as the chunks they came in. */
  drain(): Uint8Array[] {
    const chunks = this.#chunks.slice(this.#head);
    if (this.#offset > 0) chunks[0] = chunks[0]!.subarray(this.#offset);
    this.#chunks = [];
    this.#head = 0;
    this.#offset = 0;
    this.#length = 0;
    return chunks;
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

function bytesAsTheyAre(message: Uint8Array): Uint8Array {
  return message;
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

/** The length in the header at the front of `queue`, read byte by byte: it may span two chunks. */
function readLength(queue: ChunkQueue, width: 1 | 2 | 4, littleEndian: boolean): number {
  let length = 0;
  for (let index = 0; index < width; index++) {
    length = length * 256 + queue.at(littleEndian ? width - 1 - index : index);
  }
  return length;
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
