// Framing under random chunkings: every codec, seeded so that a failure can be replayed.
//
// Each round draws its messages, their framing and the split points from one 32-bit seed, and
// every assertion names the codec and that seed. To replay a failure, set `replaySeed` below
// to the seed it names: every round loop then runs that one seed (over TCP too, where the
// case has TCP rounds). The seeds are fixed, so a run is the same on every runtime and every
// time; a loop that runs out of its time budget stops early rather than slow the suite down.
import {
  type Codec,
  type Server,
  type Socket,
  SocketError,
  delimited,
  lengthPrefixed,
  lines,
} from "@omnisock/core";
import { describe, expect, it } from "vitest";
import type { Api } from "../context.js";
import { acceptingServer, bytes, concat, connectTo, defer, sleep, within } from "../helpers.js";

/** Set to a seed from a failure message to run only that round. */
const replaySeed: number | undefined = undefined;

type Message = string | Uint8Array;
type Fault = "EMSGSIZE" | "EIO";

interface LinesKind {
  readonly type: "lines";
  readonly label: string;
  readonly encoding: "utf-8" | "bytes";
  readonly emitTrailing: boolean;
  /** Some frames end in "\r\n" instead of "\n". */
  readonly crlf: boolean;
  /** The utf-8 decoder is fed random bytes, invalid sequences included, not encoded strings. */
  readonly invalid: boolean;
}
interface DelimitedKind {
  readonly type: "delimited";
  readonly label: string;
  readonly delimiter: Uint8Array;
}
interface LengthKind {
  readonly type: "lengthPrefixed";
  readonly label: string;
  readonly width: 1 | 2 | 4;
  readonly littleEndian: boolean;
}
type Kind = LinesKind | DelimitedKind | LengthKind;

function linesKind(
  label: string,
  encoding: "utf-8" | "bytes",
  options: { emitTrailing?: boolean; crlf?: boolean; invalid?: boolean } = {},
): LinesKind {
  const { emitTrailing = false, crlf = false, invalid = false } = options;
  return { type: "lines", label: `lines (${label})`, encoding, emitTrailing, crlf, invalid };
}

const lineKinds: readonly LinesKind[] = [
  linesKind("utf-8", "utf-8"),
  linesKind("utf-8, CRLF input", "utf-8", { crlf: true }),
  linesKind("utf-8, invalid UTF-8", "utf-8", { crlf: true, invalid: true }),
  linesKind("bytes, CRLF input", "bytes", { crlf: true }),
  linesKind("utf-8, emitTrailing", "utf-8", { emitTrailing: true, crlf: true }),
  linesKind("bytes, emitTrailing", "bytes", { emitTrailing: true, crlf: true }),
];

const delimitedKinds: readonly DelimitedKind[] = [
  "\0",
  "\r\n",
  "aba",
  "aab",
  "aaa",
  "abab",
  "\r\n\r\n",
  "\u2713",
].map((delimiter) => ({
  type: "delimited" as const,
  label: `delimited ${JSON.stringify(delimiter)}`,
  delimiter: bytes(delimiter),
}));

const lengthKinds: readonly LengthKind[] = ([1, 2, 4] as const).flatMap((width) =>
  [false, true].map((littleEndian) => ({
    type: "lengthPrefixed" as const,
    label: `lengthPrefixed (width ${width}, ${littleEndian ? "little" : "big"}-endian)`,
    width,
    littleEndian,
  })),
);

const allKinds: readonly Kind[] = [...lineKinds, ...delimitedKinds, ...lengthKinds];

const defaultMaxMessageSize = 1_048_576;
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

// ---- the random source ----

/** mulberry32: one 32-bit word of state, plenty for lengths, bytes and split points. */
class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A uniform 32-bit unsigned integer. */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let value = this.#state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return (value ^ (value >>> 14)) >>> 0;
  }

  /** An integer in [0, limit). */
  below(limit: number): number {
    return Math.floor((this.next() / 2 ** 32) * limit);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.below(max - min + 1);
  }

  chance(probability: number): boolean {
    return this.next() < probability * 2 ** 32;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }
}

/** FNV-1a: a stable seed from a case's name, so that cases do not share their rounds. */
function seedOf(name: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < name.length; index++) {
    hash = Math.imul(hash ^ name.charCodeAt(index), 0x01000193);
  }
  return hash >>> 0;
}

// How a round cuts its stream, taken from the seed's low 3 bits: round 0 of every loop cuts
// it into single bytes and round 1 cuts it inside headers, delimiters and UTF-8 sequences.
const splitModes = [
  "single bytes",
  "targeted",
  "small",
  "mixed",
  "targeted",
  "small",
  "mixed",
  "whole",
] as const;
type SplitMode = (typeof splitModes)[number];

/** The seeds of a loop: at most `count`, and no new one after `budgetMs` (but at least 2). */
function* seeds(name: string, count: number, budgetMs: number): Generator<number> {
  if (replaySeed !== undefined) {
    yield replaySeed;
    return;
  }
  const base = seedOf(name);
  const started = performance.now();
  for (let round = 0; round < count; round++) {
    if (round >= 2 && performance.now() - started > budgetMs) return;
    yield (((base + Math.imul(round, 0x9e3779b9)) & ~7) | (round % 8)) >>> 0;
  }
}

function hex(seed: number): string {
  return `0x${seed.toString(16).padStart(8, "0")}`;
}

// ---- messages ----

// Characters that trip UTF-8 decoders: BOM, replacement char, the edges of each sequence length, astral.
const specialCharacters = [
  "\uFEFF",
  "\uFFFD",
  "\u0080",
  "\u00e9",
  "\u07FF",
  "\u0800",
  "\u20ac",
  "\u2713",
  "\u4e2d",
  "\uFFFF",
  "\u{10000}",
  "\u{1D11E}",
  "\u{1F600}",
  "\u{10FFFF}",
  "\r",
  "\t",
  "\0",
];

function randomCharacter(random: Random): string {
  switch (random.below(6)) {
    case 0:
    case 1:
      return String.fromCharCode(random.between(0x20, 0x7e));
    case 2:
      return random.pick(specialCharacters);
    case 3:
      return String.fromCodePoint(random.between(0x80, 0x7ff));
    case 4: {
      // Three bytes, no surrogates: those have no UTF-8 form.
      const codePoint = random.between(0x800, 0xffff - 0x800);
      return String.fromCodePoint(codePoint >= 0xd800 ? codePoint + 0x800 : codePoint);
    }
    default:
      return String.fromCodePoint(random.between(0x10000, 0x10ffff));
  }
}

function utf8Length(character: string): number {
  const codePoint = character.codePointAt(0)!;
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}

/** A string of at most `maxBytes` UTF-8 bytes, without "\n" and not ending in "\r". */
function randomText(random: Random, maxBytes: number): string {
  let text = "";
  for (let size = 0; ;) {
    const character = randomCharacter(random);
    const length = utf8Length(character);
    if (size + length > maxBytes) break;
    text += character;
    size += length;
  }
  while (text.endsWith("\r")) text = text.slice(0, -1);
  return text;
}

function randomBytes(random: Random, length: number, favoured: readonly number[]): Uint8Array {
  const result = new Uint8Array(length);
  for (let index = 0; index < length; index++) {
    result[index] =
      favoured.length > 0 && random.chance(0.4) ? random.pick(favoured) : random.below(256);
  }
  return result;
}

// Bytes that start, continue or break UTF-8 sequences, and "\r".
const utf8Bytes = [0x0d, 0xc3, 0xa9, 0xe2, 0x9c, 0x93, 0xef, 0xbb, 0xbf, 0xf0, 0x9f, 0x80, 0xff];

/** The first index of `needle` in `haystack` from `from`, or -1 (the naive search, as a reference). */
function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let start = from; start + needle.length <= haystack.length; start++) {
    for (let index = 0; index < needle.length; index++) {
      if (haystack[start + index] !== needle[index]) continue outer;
    }
    return start;
  }
  return -1;
}

/**
 * Random bytes, many of them the delimiter's own, such that the frame (message + delimiter)
 * holds the delimiter only at its end. At most `length` bytes: a suffix that would make a
 * delimiter with the frame's own ("ab" + "aba") is cut off.
 */
function bytesWithoutDelimiter(random: Random, length: number, delimiter: Uint8Array): Uint8Array {
  const message = randomBytes(random, length, [...delimiter]);
  const last = delimiter[delimiter.length - 1]!;
  for (let index = delimiter.length - 1; index < length; index++) {
    if (indexOf(message.subarray(index + 1 - delimiter.length, index + 1), delimiter) === 0) {
      message[index] = (last + 1) & 0xff;
    }
  }
  let size = length;
  while (indexOf(concat([message.subarray(0, size), delimiter]), delimiter) < size) size--;
  return message.subarray(0, size);
}

interface Drawn {
  /** The bytes before the terminator (or the header's body). */
  readonly raw: Uint8Array;
  /** What the decoder must give for them. */
  readonly message: Message;
}

/** A random message of at most `length` bytes that the kind can frame. */
function drawMessage(kind: Kind, random: Random, length: number): Drawn {
  if (kind.type === "lengthPrefixed") {
    const raw = randomBytes(random, length, []);
    return { raw, message: raw };
  }
  if (kind.type === "delimited") {
    const raw = bytesWithoutDelimiter(random, length, kind.delimiter);
    return { raw, message: raw };
  }
  if (kind.encoding === "utf-8" && !kind.invalid) {
    const message = randomText(random, length);
    return { raw: bytes(message), message };
  }
  const raw = randomBytes(random, length, utf8Bytes);
  for (let index = 0; index < raw.length; index++) if (raw[index] === 0x0a) raw[index] = 0x0b;
  if (raw[raw.length - 1] === 0x0d) raw[raw.length - 1] = 0x0c;
  return { raw, message: kind.encoding === "bytes" ? raw : utf8.decode(raw) };
}

/** Mostly short messages, some empty, a few of several KiB. */
function drawLength(random: Random, cap: number): number {
  const roll = random.below(100);
  const length =
    roll < 10
      ? 0
      : roll < 50
        ? random.between(1, 8)
        : roll < 85
          ? random.between(9, 80)
          : roll < 97
            ? random.between(81, 600)
            : random.between(601, 5000);
  return Math.min(length, cap);
}

function capOf(kind: Kind): number {
  return kind.type === "lengthPrefixed" && kind.width === 1 ? 255 : 5000;
}

// ---- framing, by the codec and by hand ----

function codecFor(kind: Kind, maxMessageSize?: number): Codec<Message> {
  const limit = maxMessageSize === undefined ? {} : { maxMessageSize };
  switch (kind.type) {
    case "lines":
      return lines({ ...limit, encoding: kind.encoding, emitTrailing: kind.emitTrailing });
    case "delimited":
      return delimited(kind.delimiter, limit) as Codec<Message>;
    case "lengthPrefixed":
      return lengthPrefixed({
        ...limit,
        width: kind.width,
        littleEndian: kind.littleEndian,
      }) as Codec<Message>;
  }
}

function header(kind: LengthKind, length: number): Uint8Array {
  const result = new Uint8Array(kind.width);
  const view = new DataView(result.buffer);
  if (kind.width === 1) view.setUint8(0, length);
  else if (kind.width === 2) view.setUint16(0, length, kind.littleEndian);
  else view.setUint32(0, length, kind.littleEndian);
  return result;
}

function readHeader(kind: LengthKind, wire: Uint8Array, offset: number): number {
  const view = new DataView(wire.buffer, wire.byteOffset + offset, kind.width);
  if (kind.width === 1) return view.getUint8(0);
  return kind.width === 2
    ? view.getUint16(0, kind.littleEndian)
    : view.getUint32(0, kind.littleEndian);
}

/** The offsets inside `raw` (from `start`) that cut a multi-byte UTF-8 sequence. */
function utf8Cuts(raw: Uint8Array, start = 0): number[] {
  const cuts: number[] = [];
  for (let index = 1; index < raw.length; index++) {
    if ((raw[index]! & 0xc0) === 0x80) cuts.push(start + index);
  }
  return cuts;
}

interface Framed {
  readonly frame: Uint8Array;
  /** Offsets in the frame that cut a header, a delimiter or a UTF-8 sequence. */
  readonly cuts: number[];
  /** Set when `codec.encode` gave other bytes than the frame built by hand. */
  readonly problem?: string;
}

/** Frame a message with `codec.encode` where it applies, checked against the frame built by hand. */
function frameOf(kind: Kind, codec: Codec<Message>, drawn: Drawn, crlf: boolean): Framed {
  const { raw } = drawn;
  let frame: Uint8Array;
  let encoded: Uint8Array | undefined;
  // Cuts inside a UTF-8 sequence matter only where the bytes are decoded as text.
  const cuts = kind.type === "lines" ? utf8Cuts(raw) : [];
  if (kind.type === "lengthPrefixed") {
    frame = concat([header(kind, raw.length), raw]);
    for (let offset = 1; offset <= kind.width; offset++) cuts.push(offset);
    encoded = codec.encode(raw);
  } else if (kind.type === "delimited") {
    frame = concat([raw, kind.delimiter]);
    for (let offset = 0; offset < kind.delimiter.length; offset++) cuts.push(raw.length + offset);
    encoded = codec.encode(raw);
  } else {
    frame = concat([raw, crlf ? Uint8Array.of(0x0d, 0x0a) : Uint8Array.of(0x0a)]);
    cuts.push(raw.length);
    if (crlf) cuts.push(raw.length + 1);
    // CRLF and invalid UTF-8 are what a peer sends; `encode` makes neither.
    else if (!kind.invalid) encoded = codec.encode(kind.encoding === "bytes" ? raw : drawn.message);
  }
  const problem =
    encoded === undefined || sameBytes(encoded, frame)
      ? undefined
      : `encode(${show(drawn.message)}) gave ${show(encoded)}, expected ${show(frame)}`;
  return problem === undefined ? { frame, cuts } : { frame, cuts, problem };
}

// ---- scenarios ----

interface Scenario {
  readonly codec: Codec<Message>;
  readonly maxMessageSize: number;
  readonly wire: Uint8Array;
  /** The messages the decoder must give, in order, and nothing else. */
  readonly expected: readonly Message[];
  /** How the stream must end after them: cleanly, or with this SocketError. */
  readonly fault: Fault | undefined;
  /** Offsets that cut a header, a delimiter or a UTF-8 sequence: where a split is worth most. */
  readonly cuts: ReadonlySet<number>;
  /** Where each expected message's frame ends, for checking `buffered` (when it is known). */
  readonly ends: readonly number[] | undefined;
  readonly problems: readonly string[];
}

class Stream {
  readonly #parts: Uint8Array[] = [];
  #size = 0;
  readonly cuts = new Set<number>();
  readonly ends: number[] = [];
  readonly expected: Message[] = [];
  readonly problems: string[] = [];

  /** Append bytes; `message` is what they complete, if they are a whole frame the decoder gives. */
  add(part: Uint8Array, cuts: readonly number[], message?: Message): void {
    for (const cut of cuts) if (cut > 0 && cut <= part.length) this.cuts.add(this.#size + cut);
    this.#parts.push(part);
    this.#size += part.length;
    if (message !== undefined) {
      this.expected.push(message);
      this.ends.push(this.#size);
    }
  }

  /** Frame `drawn` and append it as a message the decoder must give. */
  addMessage(kind: Kind, codec: Codec<Message>, drawn: Drawn, crlf: boolean): void {
    const framed = frameOf(kind, codec, drawn, crlf);
    if (framed.problem !== undefined) this.problems.push(framed.problem);
    this.add(framed.frame, framed.cuts, drawn.message);
  }

  finish(
    codec: Codec<Message>,
    maxMessageSize: number,
    fault: Fault | undefined,
    withEnds: boolean,
  ): Scenario {
    return {
      codec,
      maxMessageSize,
      wire: concat(this.#parts),
      expected: this.expected,
      fault,
      cuts: this.cuts,
      ends: withEnds ? this.ends : undefined,
      problems: this.problems,
    };
  }
}

function crlfFor(kind: Kind, random: Random): boolean {
  return kind.type === "lines" && kind.crlf && random.chance(0.5);
}

/** Random messages, each framed as the codec frames it (or as a CRLF peer does). */
function roundTrip(kind: Kind, random: Random): Scenario {
  const codec = codecFor(kind);
  const stream = new Stream();
  const count = random.between(0, 24);
  for (let index = 0; index < count; index++) {
    const drawn = drawMessage(kind, random, drawLength(random, capOf(kind)));
    stream.addMessage(kind, codec, drawn, crlfFor(kind, random));
  }
  if (kind.type === "lines" && kind.emitTrailing && random.chance(0.6)) {
    // A last line with no "\n"; a "\r" at its end is dropped like one before a "\n".
    const drawn = drawMessage(kind, random, random.between(0, 40));
    const carriageReturn = drawn.raw.length === 0 || random.chance(0.3);
    const trailing = carriageReturn ? concat([drawn.raw, Uint8Array.of(0x0d)]) : drawn.raw;
    stream.add(trailing, utf8Cuts(trailing));
    stream.expected.push(drawn.message);
  }
  return stream.finish(codec, defaultMaxMessageSize, undefined, true);
}

/** Messages up to a small maxMessageSize, many exactly at it, then one past it, then more. */
function oversized(kind: Kind, random: Random): Scenario {
  const widthMax = kind.type === "lengthPrefixed" ? 2 ** (8 * kind.width) - 1 : Infinity;
  const max = random.between(1, kind.type === "lengthPrefixed" && kind.width === 1 ? 200 : 64);
  const codec = codecFor(kind, max);
  const stream = new Stream();
  const count = random.between(0, 6);
  for (let index = 0; index < count; index++) {
    const crlf = crlfFor(kind, random);
    // "\r\n" ends a line, but maxMessageSize counts the "\r".
    const limit = crlf ? max - 1 : max;
    const drawn = drawMessage(kind, random, random.chance(0.4) ? limit : random.between(0, limit));
    stream.addMessage(kind, codec, drawn, crlf);
  }
  if (kind.type === "lengthPrefixed") {
    const announced = random.chance(0.3)
      ? max + 1
      : random.chance(0.3)
        ? widthMax
        : random.between(max + 1, widthMax);
    const body = randomBytes(random, random.below(Math.min(announced, 40)), []);
    stream.add(concat([header(kind, announced), body]), [1, 2, 3].slice(0, kind.width - 1));
  } else {
    // Digits: in no delimiter, so the message is one message however long.
    let raw: Uint8Array = Uint8Array.from({ length: random.between(max + 1, 3 * max + 20) }, () =>
      random.between(0x30, 0x39),
    );
    if (kind.type === "lines" && random.chance(0.25)) {
      // Exactly maxMessageSize before the "\r": with it, one byte too many.
      raw = concat([raw.subarray(0, max), Uint8Array.of(0x0d)]);
    }
    const terminator = kind.type === "lines" ? Uint8Array.of(0x0a) : kind.delimiter;
    if (random.chance(0.7)) stream.add(concat([raw, terminator]), [raw.length]);
    else stream.add(raw, []);
  }
  // Whatever follows is never delivered.
  const after = random.between(0, 4);
  for (let index = 0; index < after; index++) {
    const framed = frameOf(
      kind,
      codec,
      drawMessage(kind, random, random.between(0, max - 1)),
      false,
    );
    stream.add(framed.frame, framed.cuts);
  }
  return stream.finish(codec, max, "EMSGSIZE", false);
}

/** Whole messages, then the stream ends inside one: EIO, or with emitTrailing the last line. */
function truncated(kind: Kind, random: Random): Scenario {
  const codec = codecFor(kind);
  const stream = new Stream();
  const count = random.between(0, 10);
  for (let index = 0; index < count; index++) {
    const drawn = drawMessage(kind, random, drawLength(random, Math.min(300, capOf(kind))));
    stream.addMessage(kind, codec, drawn, crlfFor(kind, random));
  }
  let fault: Fault | undefined = "EIO";
  if (kind.type === "lengthPrefixed") {
    const drawn = drawMessage(kind, random, random.between(kind.width === 1 ? 1 : 0, 60));
    const { frame, cuts } = frameOf(kind, codec, drawn, false);
    const cut = random.between(1, frame.length - 1);
    stream.add(frame.subarray(0, cut), cuts);
  } else if (kind.type === "delimited") {
    const length = kind.delimiter.length === 1 ? random.between(1, 60) : random.between(0, 60);
    const { raw } = drawMessage(kind, random, length);
    const partial = random.between(raw.length === 0 ? 1 : 0, kind.delimiter.length - 1);
    const part = concat([raw, kind.delimiter.subarray(0, partial)]);
    stream.add(part, [...utf8Cuts(raw), raw.length]);
  } else {
    const drawn = drawMessage(kind, random, random.between(0, 60));
    const carriageReturn = drawn.raw.length === 0 || random.chance(0.3);
    const part = carriageReturn ? concat([drawn.raw, Uint8Array.of(0x0d)]) : drawn.raw;
    stream.add(part, utf8Cuts(part));
    if (kind.emitTrailing) {
      stream.expected.push(drawn.message);
      fault = undefined;
    }
  }
  return stream.finish(codec, defaultMaxMessageSize, fault, false);
}

/** Random bytes, whatever they frame: the reference decoder says what must come of them. */
function garbage(kind: Kind, random: Random): Scenario {
  const max = random.chance(0.5) ? defaultMaxMessageSize : random.between(1, 64);
  const codec = codecFor(kind, max === defaultMaxMessageSize ? undefined : max);
  const favoured =
    kind.type === "lengthPrefixed"
      ? [0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]
      : kind.type === "delimited"
        ? [...kind.delimiter]
        : [0x0a, ...utf8Bytes];
  const wire = randomBytes(random, random.between(0, 300), favoured);
  const reference = referenceDecode(kind, wire, max);
  const stream = new Stream();
  stream.add(wire, []);
  stream.expected.push(...reference.messages);
  return stream.finish(codec, max, reference.fault, false);
}

// ---- the reference decoder: the whole stream at once, the naive way ----

function lineMessage(kind: LinesKind, line: Uint8Array): Message {
  const stripped = line[line.length - 1] === 0x0d ? line.subarray(0, -1) : line;
  return kind.encoding === "bytes" ? stripped : utf8.decode(stripped);
}

function referenceDecode(
  kind: Kind,
  wire: Uint8Array,
  max: number,
): { messages: Message[]; fault: Fault | undefined } {
  const messages: Message[] = [];
  if (kind.type === "lengthPrefixed") {
    for (let offset = 0; offset < wire.length;) {
      if (wire.length - offset < kind.width) return { messages, fault: "EIO" };
      const length = readHeader(kind, wire, offset);
      if (length > max) return { messages, fault: "EMSGSIZE" };
      offset += kind.width;
      if (wire.length - offset < length) return { messages, fault: "EIO" };
      messages.push(wire.subarray(offset, offset + length));
      offset += length;
    }
    return { messages, fault: undefined };
  }
  const delimiter = kind.type === "lines" ? Uint8Array.of(0x0a) : kind.delimiter;
  const toMessage = (raw: Uint8Array) => (kind.type === "lines" ? lineMessage(kind, raw) : raw);
  for (let offset = 0; ;) {
    const found = indexOf(wire, delimiter, offset);
    if (found === -1) {
      const rest = wire.subarray(offset);
      // A proper prefix of the delimiter at the very end is not (yet) message.
      let partial = Math.min(rest.length, delimiter.length - 1);
      while (
        partial > 0 &&
        indexOf(rest.subarray(rest.length - partial), delimiter.subarray(0, partial)) !== 0
      )
        partial--;
      if (rest.length - partial > max) return { messages, fault: "EMSGSIZE" };
      if (rest.length === 0) return { messages, fault: undefined };
      if (kind.type === "lines" && kind.emitTrailing) {
        messages.push(toMessage(rest));
        return { messages, fault: undefined };
      }
      return { messages, fault: "EIO" };
    }
    if (found - offset > max) return { messages, fault: "EMSGSIZE" };
    messages.push(toMessage(wire.subarray(offset, found)));
    offset = found + delimiter.length;
  }
}

// ---- splitting ----

interface Split {
  readonly mode: SplitMode;
  readonly chunks: Uint8Array[];
  /** For each chunk but the last, whether the boundary after it cuts a header, delimiter or UTF-8 sequence. */
  readonly inside: boolean[];
}

/** Cut `wire` as the seed's mode says; `empty` adds some zero-length chunks (push only). */
function split(random: Random, seed: number, scenario: Scenario, empty: boolean): Split {
  const { wire, cuts } = scenario;
  const mode = splitModes[seed & 7]!;
  const boundaries = new Set<number>();
  const small = (from: number) => {
    for (
      let offset = from + random.between(1, 8);
      offset < wire.length;
      offset += random.between(1, 8)
    ) {
      boundaries.add(offset);
    }
  };
  if (mode === "single bytes") {
    // Every byte alone for the first 4 KiB, then small chunks: a 100 KiB stream stays quick.
    const bytesAlone = Math.min(wire.length, 4096);
    for (let offset = 1; offset < bytesAlone; offset++) boundaries.add(offset);
    small(bytesAlone);
  } else if (mode === "small") {
    small(0);
  } else if (mode === "mixed") {
    for (let offset = 0; ;) {
      offset += Math.ceil(2 ** ((random.next() / 2 ** 32) * Math.log2(wire.length + 1)));
      if (offset >= wire.length) break;
      boundaries.add(offset);
    }
  } else if (mode === "targeted") {
    for (const cut of cuts) if (random.chance(0.6)) boundaries.add(cut);
    for (let count = random.below(8); count > 0; count--)
      boundaries.add(random.between(1, wire.length));
  }
  const offsets = [...boundaries]
    .filter((offset) => offset > 0 && offset < wire.length)
    .sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  const inside: boolean[] = [];
  let start = 0;
  for (const offset of [...offsets, wire.length]) {
    if (empty && random.chance(0.03)) {
      chunks.push(wire.subarray(start, start));
      inside.push(cuts.has(start));
    }
    chunks.push(wire.subarray(start, offset));
    inside.push(cuts.has(offset));
    start = offset;
  }
  return { mode, chunks, inside };
}

// ---- decoding and comparing ----

interface Outcome {
  readonly messages: Message[];
  readonly error: unknown;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}

/** What is wrong with `got`, or undefined when it is `expected` byte for byte. */
function bytesDifference(got: Uint8Array, expected: Uint8Array): string | undefined {
  if (sameBytes(got, expected)) return undefined;
  let index = 0;
  while (index < got.length && index < expected.length && got[index] === expected[index]) index++;
  return `${show(got)}, expected ${show(expected)}: they differ from byte ${index}`;
}

function sameMessage(a: Message, b: Message): boolean {
  if (typeof a === "string" || typeof b === "string") return a === b;
  return sameBytes(a, b);
}

function show(message: unknown): string {
  if (typeof message === "string") {
    const json = JSON.stringify(message.length > 40 ? `${message.slice(0, 40)}…` : message);
    return `${json} (${message.length} UTF-16 units)`;
  }
  if (message instanceof Uint8Array) {
    const shown = [...message.subarray(0, 24)].map((byte) => byte.toString(16).padStart(2, "0"));
    return `${message.length} bytes [${shown.join(" ")}${message.length > 24 ? " …" : ""}]`;
  }
  return String(message);
}

/** What is wrong with `got`, or undefined when it is exactly what the scenario expects. */
function difference(scenario: Scenario, got: Outcome): string | undefined {
  const { expected, fault } = scenario;
  const count = Math.min(expected.length, got.messages.length);
  for (let index = 0; index < count; index++) {
    if (!sameMessage(expected[index]!, got.messages[index]!)) {
      return `message ${index} is ${show(got.messages[index])}, expected ${show(expected[index])}`;
    }
  }
  if (got.messages.length !== expected.length) {
    return `${got.messages.length} messages, expected ${expected.length}${
      got.messages.length > expected.length
        ? `; the first extra is ${show(got.messages[count])}`
        : ""
    } (ended with ${got.error === undefined ? "no error" : String(got.error)})`;
  }
  if (fault === undefined) {
    return got.error === undefined
      ? undefined
      : `ended with ${String(got.error)}, expected a clean end`;
  }
  if (!(got.error instanceof SocketError)) {
    return `ended with ${got.error === undefined ? "no error" : String(got.error)}, expected a SocketError ${fault}`;
  }
  return got.error.code === fault
    ? undefined
    : `ended with ${String(got.error)}, expected ${fault}`;
}

/** Feed a push decoder chunk by chunk; checks `buffered` as it goes when the frame ends are known. */
function pushDecode(
  scenario: Scenario,
  chunks: readonly Uint8Array[],
): Outcome & { problem?: string } {
  const decoder = scenario.codec.decoder();
  const messages: Message[] = [];
  const ends = scenario.ends;
  let fed = 0;
  let complete = 0;
  try {
    for (const chunk of chunks) {
      messages.push(...decoder.push(chunk));
      fed += chunk.length;
      if (ends === undefined) continue;
      while (complete < ends.length && ends[complete]! <= fed) complete++;
      const expected = fed - (complete === 0 ? 0 : ends[complete - 1]!);
      if (decoder.buffered !== expected) {
        return {
          messages,
          error: undefined,
          problem: `buffered is ${decoder.buffered} after ${fed} bytes, expected ${expected}`,
        };
      }
    }
    messages.push(...decoder.end());
  } catch (error) {
    // After a peer's fault the decoder is done: the same error again, and no message. (EIO
    // from end() is not stored: end() is the last call, so what follows it is not specified.)
    if (error instanceof SocketError && error.code === "EMSGSIZE") {
      for (const again of [() => decoder.push(Uint8Array.of(0x0a)), () => decoder.end()]) {
        let thrown: unknown;
        try {
          const more = again();
          return {
            messages,
            error,
            problem: `after ${String(error)} the decoder gave ${more.length} more message(s)`,
          };
        } catch (caught) {
          thrown = caught;
        }
        if (thrown !== error) {
          return {
            messages,
            error,
            problem: `after ${String(error)} the decoder threw ${String(thrown)}`,
          };
        }
      }
    }
    return { messages, error };
  }
  return { messages, error: undefined };
}

interface Link {
  readonly api: Api;
  readonly server: Server;
  readonly accepted: (ms?: number) => Promise<Socket>;
}

async function linkTo(api: Api): Promise<Link> {
  const { server, accepted } = await acceptingServer(api);
  return { api, server, accepted };
}

/** Waits (a macrotask at a time) until the peer has received `count` bytes, or `stop()` holds. */
async function arrival(peer: Socket, count: number, stop: () => boolean): Promise<void> {
  const started = performance.now();
  while (peer.stats.bytesReceived < count && !stop()) {
    if (performance.now() - started > 2_000) {
      throw new Error(
        `the peer received ${peer.stats.bytesReceived} of ${count} bytes within 2000 ms`,
      );
    }
    await sleep(0);
  }
}

/**
 * Send the chunks over loopback TCP, a write each, and decode them with `codec.decode(peer)`.
 * After the chunks marked `sync` the writer waits until the peer has the bytes, so that the
 * next chunk arrives in a read of its own; between those, writes may coalesce. With
 * `leaveAfter`, the loop is left after that many messages and the rest read as raw chunks.
 */
async function tcpDecode(
  link: Link,
  scenario: Scenario,
  chunks: readonly Uint8Array[],
  sync: ReadonlySet<number>,
  leaveAfter?: number,
): Promise<Outcome & { reads: number; synced: number; rest?: Uint8Array }> {
  const client = await connectTo(link.api, link.server.address);
  const peer = await link.accepted();
  defer(() => peer.reset());
  let settled = false;
  const decoding = (async (): Promise<Outcome & { rest?: Uint8Array }> => {
    const messages: Message[] = [];
    try {
      for await (const message of scenario.codec.decode(peer)) {
        messages.push(message);
        if (messages.length === leaveAfter) break;
      }
      if (leaveAfter === undefined) return { messages, error: undefined };
      // What the decoder gave back, then what it had not read: the rest of the stream.
      const rest: Uint8Array[] = [];
      for await (const chunk of peer) rest.push(chunk);
      return { messages, error: undefined, rest: concat(rest) };
    } catch (error) {
      return { messages, error };
    } finally {
      settled = true;
    }
  })();
  let sent = 0;
  let synced = 0;
  for (let index = 0; index < chunks.length; index++) {
    const chunk = chunks[index]!;
    if (chunk.length === 0) continue;
    client.write(chunk);
    sent += chunk.length;
    // Once the decoder has failed it reads no more: waiting for the peer would be in vain.
    if (sync.has(index) && !settled) {
      await within(2_000, "flush", client.flush());
      await arrival(peer, sent, () => settled);
      synced++;
    }
  }
  await within(2_000, "end", client.end());
  const outcome = await within(5_000, "decoding", decoding);
  const reads = peer.stats.packetsReceived;
  await within(2_000, "reset", Promise.all([client.reset(), peer.reset()]));
  return { ...outcome, reads, synced };
}

/** The boundaries to wait at over TCP: some that cut something, and some others. */
function syncPoints(random: Random, split: Split, waits: Waits): Set<number> {
  const inside: number[] = [];
  const other: number[] = [];
  split.inside.forEach((cuts, index) => {
    if (index < split.chunks.length - 1) (cuts ? inside : other).push(index);
  });
  const chosen = new Set<number>();
  for (const [pool, count] of [
    [inside, waits.inside],
    [other, waits.other],
  ] as const) {
    for (let taken = 0; taken < count && pool.length > 0; taken++) {
      chosen.add(pool.splice(random.below(pool.length), 1)[0]!);
    }
  }
  return chosen;
}

// ---- the rounds ----

type Build = (kind: Kind, random: Random) => Scenario;

/** A TCP round's connection and timing; with `leave`, its decode loop is left after a random message. */
interface Tcp {
  readonly link: Link;
  readonly waits: Waits;
  readonly leave: boolean;
}

/** How many boundaries a TCP round waits at (each costs a macrotask or two). */
interface Waits {
  /** Boundaries that cut a header, a delimiter or a UTF-8 sequence. */
  readonly inside: number;
  readonly other: number;
}

interface Coverage {
  rounds: number;
  tcpRounds: number;
  /** Rounds that cut a header, a delimiter or a UTF-8 sequence at least once. */
  cutInside: number;
  singleBytes: number;
  /** TCP rounds whose decode loop was left early. */
  leftEarly: number;
}

/** Fails with `problem` in full (vitest would shorten it as the actual value). */
function expectNoProblem(problem: string | undefined, where: string): void {
  expect(problem, `${where}: ${problem ?? ""}`).toBeUndefined();
}

/** One seed's round; anything but a failed assertion (a throw, a timeout) is named with the seed too. */
async function round(
  kind: Kind,
  build: Build,
  seed: number,
  tcp: Tcp | undefined,
  coverage: Coverage,
): Promise<void> {
  const context = `${kind.label}, seed ${hex(seed)}`;
  try {
    await play(kind, build, seed, tcp, coverage, context);
  } catch (error) {
    if (error instanceof Error && error.name === "AssertionError") throw error;
    throw new Error(`${context}: ${String(error)}`, { cause: error });
  }
}

async function play(
  kind: Kind,
  build: Build,
  seed: number,
  tcp: Tcp | undefined,
  coverage: Coverage,
  context: string,
): Promise<void> {
  const random = new Random(seed);
  const scenario = build(kind, random);
  expect(scenario.problems, `${context}: encode: ${scenario.problems.join("; ")}`).toEqual([]);
  // The reference decoder must agree with the scenario, or this fuzz, not the codec, is wrong.
  const reference = referenceDecode(kind, scenario.wire, scenario.maxMessageSize);
  expectNoProblem(
    difference(scenario, {
      messages: reference.messages,
      error: reference.fault && new SocketError(reference.fault, "reference"),
    }),
    `${context}: the reference decoder disagrees with the scenario (a fault of this fuzz)`,
  );

  const pushed = split(random, seed, scenario, true);
  const got = pushDecode(scenario, pushed.chunks);
  const where = `${context}, ${pushed.mode}, ${pushed.chunks.length} chunks of ${scenario.wire.length} bytes`;
  expectNoProblem(got.problem ?? difference(scenario, got), `${where}, push decoder`);
  coverage.rounds++;
  if (pushed.inside.slice(0, -1).some(Boolean)) coverage.cutInside++;
  if (pushed.mode === "single bytes") coverage.singleBytes++;

  if (tcp === undefined) return;
  const sent = split(random, seed, scenario, false);
  const sync = syncPoints(random, sent, tcp.waits);
  const { expected, ends, wire } = scenario;
  const leaveAfter =
    tcp.leave && expected.length > 0 ? random.between(1, expected.length) : undefined;
  const over = await tcpDecode(tcp.link, scenario, sent.chunks, sync, leaveAfter);
  const overWhere = `${context}, ${sent.mode}, ${sent.chunks.length} writes of ${wire.length} bytes, ${over.synced} waited for, ${over.reads} reads`;
  if (leaveAfter === undefined) {
    expectNoProblem(difference(scenario, over), `${overWhere}, decode(socket)`);
  } else {
    const left = `${overWhere}, decode(socket) left after message ${leaveAfter}`;
    const before = { ...scenario, expected: expected.slice(0, leaveAfter), fault: undefined };
    expectNoProblem(difference(before, over), left);
    // The frames taken, then the bytes read next, are the stream (a trailing line has no end).
    const taken =
      ends !== undefined && leaveAfter <= ends.length ? ends[leaveAfter - 1]! : wire.length;
    expectNoProblem(
      bytesDifference(over.rest ?? new Uint8Array(0), wire.subarray(taken)),
      `${left}, the bytes read next`,
    );
    coverage.leftEarly++;
  }
  // Each wait made a read boundary: the peer read at least once per wait.
  expect(over.reads, `${overWhere}: fewer reads than waits`).toBeGreaterThanOrEqual(over.synced);
  coverage.tcpRounds++;
}

interface Plan {
  /** Push-decoder rounds per kind, at most. */
  readonly rounds: number;
  /** Which rounds (by index, so by split mode: 0 single bytes, 1 targeted) also go over TCP. */
  readonly tcpRounds: readonly number[];
  readonly waits: Waits;
  /** Time budget for the whole case, shared by its kinds, in ms; each kind runs 2 rounds at least. */
  readonly budgetMs: number;
  /** TCP rounds leave their decode loop after a random message (round-trip scenarios only). */
  readonly leave?: boolean;
}

async function runKinds(
  api: Api,
  name: string,
  kinds: readonly Kind[],
  build: Build,
  plan: Plan,
): Promise<Coverage> {
  const coverage: Coverage = {
    rounds: 0,
    tcpRounds: 0,
    cutInside: 0,
    singleBytes: 0,
    leftEarly: 0,
  };
  const link = plan.tcpRounds.length > 0 ? await linkTo(api) : undefined;
  const tcp = link && { link, waits: plan.waits, leave: plan.leave ?? false };
  for (const kind of kinds) {
    let index = 0;
    const budget = plan.budgetMs / kinds.length;
    for (const seed of seeds(`${name} / ${kind.label}`, plan.rounds, budget)) {
      // A replayed seed goes over TCP too, wherever the case has TCP rounds.
      const overTcp = replaySeed !== undefined || plan.tcpRounds.includes(index);
      await round(kind, build, seed, overTcp ? tcp : undefined, coverage);
      index++;
    }
  }
  return coverage;
}

/** For a case's title: where its seeds start (per codec, when the name ends in "<codec>"). */
function seedLabel(name: string): string {
  if (replaySeed !== undefined) return `replaying seed ${hex(replaySeed)}`;
  return name.endsWith("<codec>") ? "seeded per codec" : `seeds from ${hex(seedOf(name))}`;
}

export function fuzzCases(api: Api): void {
  describe("framing fuzz", () => {
    for (const kind of allKinds) {
      const name = `round trip / ${kind.label}`;
      it(`${kind.label}: random messages under random chunkings decode exactly, pushed and over TCP (${seedLabel(name)})`, async () => {
        const coverage = await runKinds(api, "round trip", [kind], roundTrip, {
          rounds: 40,
          tcpRounds: [0, 1],
          waits: { inside: 8, other: 4 },
          budgetMs: 250,
        });
        if (replaySeed === undefined) {
          expect(
            coverage.cutInside,
            `${kind.label}: no round cut a header, delimiter or UTF-8 sequence`,
          ).toBeGreaterThan(0);
          expect(
            coverage.singleBytes,
            `${kind.label}: no round used 1-byte chunks`,
          ).toBeGreaterThan(0);
        }
      });
    }

    it(`leaving decode(socket) after a random message: the frames taken, then the bytes read next, are the stream (${seedLabel("leave early / <codec>")})`, async () => {
      const coverage = await runKinds(api, "leave early", allKinds, roundTrip, {
        rounds: 6,
        tcpRounds: [0, 1, 2, 3, 4, 5],
        waits: { inside: 4, other: 2 },
        budgetMs: 1_500,
        leave: true,
      });
      if (replaySeed === undefined) {
        expect(coverage.leftEarly, "rounds that left early").toBeGreaterThan(allKinds.length);
      }
    });

    it(`past maxMessageSize: EMSGSIZE whatever the split, after exactly the messages before it (${seedLabel("oversized / <codec>")})`, async () => {
      await runKinds(api, "oversized", allKinds, oversized, {
        rounds: 24,
        tcpRounds: [1],
        waits: { inside: 4, other: 2 },
        budgetMs: 500,
      });
    });

    it(`a stream that ends inside a message: EIO after the whole ones, or with emitTrailing the last line (${seedLabel("truncated / <codec>")})`, async () => {
      await runKinds(api, "truncated", allKinds, truncated, {
        rounds: 24,
        tcpRounds: [1],
        waits: { inside: 4, other: 2 },
        budgetMs: 500,
      });
    });

    it(`random garbage: only SocketError EMSGSIZE or EIO, and what a naive reference decoder gives (${seedLabel("garbage / <codec>")})`, async () => {
      await runKinds(api, "garbage", allKinds, garbage, {
        rounds: 40,
        tcpRounds: [],
        waits: { inside: 0, other: 0 },
        budgetMs: 300,
      });
      await runKinds(api, "garbage over TCP", lengthKinds, garbage, {
        rounds: 2,
        tcpRounds: [0, 1],
        waits: { inside: 0, other: 6 },
        budgetMs: 300,
      });
    });
  });
}
