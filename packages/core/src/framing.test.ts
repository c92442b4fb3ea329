import { describe, expect, expectTypeOf, it } from "vitest";
import { SocketError } from "./error.js";
import { type Codec, delimited, lengthPrefixed, lines } from "./framing.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (text: string) => encoder.encode(text);
const text = (message: Uint8Array) => decoder.decode(message);

function concat(...parts: Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

/** Every way to cut `stream` into 1, 2 and 3 pieces (empty pieces included). */
function* splits(stream: Uint8Array): Generator<Uint8Array[]> {
  for (let first = 0; first <= stream.length; first++) {
    for (let second = first; second <= stream.length; second++) {
      yield [stream.subarray(0, first), stream.subarray(first, second), stream.subarray(second)];
    }
  }
}

function oneByteChunks(stream: Uint8Array): Uint8Array[] {
  return Array.from(stream, (_, index) => stream.subarray(index, index + 1));
}

/** An async source over `chunks` that records whether it was closed early. */
function source(chunks: Uint8Array[]) {
  const state = { returned: false, pulled: 0 };
  const iterable: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({
      next: async () =>
        state.pulled < chunks.length
          ? { done: false, value: chunks[state.pulled++]! }
          : { done: true, value: undefined },
      return: async () => {
        state.returned = true;
        return { done: true, value: undefined };
      },
    }),
  };
  return { iterable, state };
}

async function collect<Message>(iterator: AsyncIterable<Message>): Promise<Message[]> {
  const messages: Message[] = [];
  for await (const message of iterator) messages.push(message);
  return messages;
}

function pushAll<Message>(codec: Codec<Message>, chunks: Uint8Array[]): Message[] {
  const push = codec.decoder();
  return [...chunks.flatMap((chunk) => push.push(chunk)), ...push.end()];
}

/** Decodes every 1-, 2- and 3-piece split both ways and checks each gives `expected`. */
async function expectEverySplit<Message>(
  codec: Codec<Message>,
  stream: Uint8Array,
  expected: unknown[],
  view: (message: Message) => unknown = (message) => message,
): Promise<void> {
  for (const pieces of splits(stream)) {
    expect(pushAll(codec, pieces).map(view)).toEqual(expected);
    expect((await collect(codec.decode(source(pieces).iterable))).map(view)).toEqual(expected);
  }
}

function expectSocketError(action: () => unknown, code: string, message?: RegExp): SocketError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(SocketError);
    const socketError = error as SocketError;
    expect(socketError.code).toBe(code);
    expect(socketError.syscall).toBe("decode");
    if (message) expect(socketError.message).toMatch(message);
    return socketError;
  }
  throw new Error(`expected a SocketError ${code}`);
}

describe("lines", () => {
  it('decodes "Hello" + "SFML" the same however the stream is split', async () => {
    await expectEverySplit(lines(), bytes("Hello\nSFML\r\n\nhé\n"), ["Hello", "SFML", "", "hé"]);
  });

  it("decodes 1-byte chunks", () => {
    expect(pushAll(lines(), oneByteChunks(bytes("one\r\ntwo\nthree\n")))).toEqual([
      "one",
      "two",
      "three",
    ]);
  });

  it("decodes a chunk carrying 1,000 lines", () => {
    const expected = Array.from({ length: 1000 }, (_, index) => `line ${index}`);
    expect(
      lines()
        .decoder()
        .push(bytes(expected.map((line) => `${line}\n`).join(""))),
    ).toEqual(expected);
  });

  it('strips only a "\\r" right before the "\\n"', () => {
    expect(lines().decoder().push(bytes("a\rb\r\nc\r\r\n"))).toEqual(["a\rb", "c\r"]);
  });

  it("decodes a UTF-8 character split across chunks", () => {
    const stream = bytes("€uro\n");
    expect(
      pushAll(lines(), [stream.subarray(0, 1), stream.subarray(1, 2), stream.subarray(2)]),
    ).toEqual(["€uro"]);
  });

  it("keeps a U+FEFF at the start of a line", () => {
    expect(lines().decoder().push(bytes("\uFEFFa\n\uFEFFb\n"))).toEqual(["\uFEFFa", "\uFEFFb"]);
  });

  it('gives views of the chunk with encoding "bytes"', () => {
    const chunk = bytes("ab\r\ncd\n");
    const [first, second] = lines({ encoding: "bytes" }).decoder().push(chunk);
    expect(first!.buffer).toBe(chunk.buffer);
    expect([text(first!), text(second!)]).toEqual(["ab", "cd"]);
  });

  it("is typed by its encoding", () => {
    expectTypeOf(lines()).toEqualTypeOf<Codec<string>>();
    expectTypeOf(lines({ encoding: "utf-8" })).toEqualTypeOf<Codec<string>>();
    expectTypeOf(lines({ encoding: "bytes" })).toEqualTypeOf<Codec<Uint8Array>>();
  });

  it('encodes by appending "\\n", in either encoding', () => {
    expect(text(lines().encode("héllo"))).toBe("héllo\n");
    expect(text(lines({ encoding: "bytes" }).encode(bytes("raw")))).toBe("raw\n");
  });

  it("refuses to encode a line the peer would read back differently", () => {
    expect(() => lines().encode("two\nlines")).toThrow(RangeError);
    expect(() => lines().encode("cr\r")).toThrow(RangeError);
    expect(() => lines({ encoding: "bytes" }).encode(bytes("a\nb"))).toThrow(RangeError);
  });

  it("refuses to encode the wrong type", () => {
    expect(() => lines().encode(bytes("x") as unknown as string)).toThrow(TypeError);
    expect(() => lines({ encoding: "bytes" }).encode("x" as unknown as Uint8Array)).toThrow(
      TypeError,
    );
  });

  it("fails with EIO on an unterminated last line, or returns it with emitTrailing", async () => {
    expectSocketError(
      () => pushAll(lines(), [bytes("done\npartial")]),
      "EIO",
      /stream ended inside a message \(7 bytes/,
    );
    expect(pushAll(lines({ emitTrailing: true }), [bytes("done\npartial\r")])).toEqual([
      "done",
      "partial",
    ]);
    expect(
      await collect(lines({ emitTrailing: true }).decode(source([bytes("a\nb")]).iterable)),
    ).toEqual(["a", "b"]);
    expect(pushAll(lines({ emitTrailing: true }), [bytes("a\n")])).toEqual(["a"]);
  });

  it("fails with EMSGSIZE as soon as the buffered line exceeds maxMessageSize", () => {
    const push = lines({ maxMessageSize: 8 }).decoder();
    expect(push.push(bytes("12345678"))).toEqual([]);
    expect(push.buffered).toBe(8);
    expectSocketError(
      () => push.push(bytes("9")),
      "EMSGSIZE",
      /9 bytes without a delimiter exceeds maxMessageSize \(8\)/,
    );
  });

  it("fails with EMSGSIZE by default past 1 MiB", () => {
    const push = lines().decoder();
    expect(push.push(new Uint8Array(1_048_576).fill(0x61))).toEqual([]);
    expectSocketError(() => push.push(bytes("a")), "EMSGSIZE");
  });

  it("refuses to encode a line over maxMessageSize, naming its size", () => {
    expect(lines({ maxMessageSize: 4 }).encode("1234")).toHaveLength(5);
    expect(() => lines({ maxMessageSize: 4 }).encode("12345")).toThrow(
      /5 bytes exceeds maxMessageSize \(4\)/,
    );
  });

  it("delivers the lines before a fault, then fails and stays failed", () => {
    const push = lines({ maxMessageSize: 3 }).decoder();
    expect(push.push(bytes("ok\ntoo long"))).toEqual(["ok"]);
    expectSocketError(() => push.push(bytes("\n")), "EMSGSIZE");
    expectSocketError(() => push.end(), "EMSGSIZE");
  });
});

describe("delimited", () => {
  it("decodes every split of a stream with a multi-byte delimiter", async () => {
    await expectEverySplit(
      delimited("\r\n\r\n"),
      bytes("Hello\r\n\r\nSF\r\nML\r\n\r\n\r\n\r\n"),
      ["Hello", "SF\r\nML", ""],
      text,
    );
  });

  it("finds a delimiter split across 1-byte chunks", () => {
    expect(pushAll(delimited("<END>"), oneByteChunks(bytes("a<EN<END>b<END>"))).map(text)).toEqual([
      "a<EN",
      "b",
    ]);
  });

  it("matches delimiters that overlap themselves like a naive split does", () => {
    // Deterministic pseudo-random streams over a small alphabet, so partial matches abound.
    let seed = 1;
    const random = (limit: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % limit;
    for (const delimiter of ["aab", "aba", "abab", "aaa"]) {
      for (let round = 0; round < 200; round++) {
        const body = Array.from({ length: random(30) }, () => "abx"[random(3)]).join("");
        const stream = bytes(body + delimiter);
        const pieces: Uint8Array[] = [];
        for (let offset = 0; offset < stream.length;) {
          const size = 1 + random(5);
          pieces.push(stream.subarray(offset, offset + size));
          offset += size;
        }
        const expected = (body + delimiter).split(delimiter);
        const push = delimited(delimiter).decoder();
        expect(pieces.flatMap((piece) => push.push(piece)).map(text)).toEqual(
          expected.slice(0, -1),
        );
        expect(push.buffered).toBe(expected.at(-1)!.length);
      }
    }
  });

  it("accepts a Uint8Array delimiter and copies it", () => {
    const delimiter = Uint8Array.of(0, 0);
    const codec = delimited(delimiter);
    delimiter[0] = 1;
    expect(pushAll(codec, [Uint8Array.of(7, 0, 0, 1, 0, 0)])).toEqual([
      Uint8Array.of(7),
      Uint8Array.of(1),
    ]);
  });

  it("gives a view for a message inside one chunk and a copy for one that spans chunks", () => {
    const push = delimited("|").decoder();
    const chunk = bytes("inside|spa");
    const [inside] = push.push(chunk);
    expect(inside!.buffer).toBe(chunk.buffer);
    const [spanning] = push.push(bytes("ns|"));
    expect(text(spanning!)).toBe("spans");
    expect(spanning!.buffer).not.toBe(chunk.buffer);
  });

  it("encodes by appending the delimiter", () => {
    expect(text(delimited("--").encode(bytes("a-b")))).toBe("a-b--");
  });

  it("refuses to encode a message the peer would split", () => {
    expect(() => delimited("--").encode(bytes("a--b"))).toThrow(/contains the delimiter/);
    // "ab" + "aba" is "ababa": the peer sees the delimiter at once and reads an empty message.
    expect(() => delimited("aba").encode(bytes("ab"))).toThrow(RangeError);
    expect(() => delimited("--").encode("a" as unknown as Uint8Array)).toThrow(TypeError);
  });

  it("does not count a partial delimiter against maxMessageSize", () => {
    const codec = delimited("\r\n", { maxMessageSize: 4 });
    expect(pushAll(codec, [bytes("1234\r"), bytes("\n")]).map(text)).toEqual(["1234"]);
    expectSocketError(() => codec.decoder().push(bytes("12345")), "EMSGSIZE");
    expectSocketError(
      () => codec.decoder().push(bytes("12345\r\n")),
      "EMSGSIZE",
      /A message of 5 bytes/,
    );
  });

  it("fails with EIO when the stream ends inside a message", () => {
    const push = delimited("\r\n").decoder();
    push.push(bytes("abc\r"));
    expect(push.buffered).toBe(4);
    expectSocketError(
      () => push.end(),
      "EIO",
      /stream ended inside a message \(4 bytes and no delimiter\)/,
    );
  });
});

describe("lengthPrefixed", () => {
  const messages = ["Hello", "SFML", "", "x"];

  it.each([1, 2, 4] as const)("decodes every split with a %i-byte header", async (width) => {
    const codec = lengthPrefixed({ width });
    const stream = concat(...messages.map((message) => codec.encode(bytes(message))));
    await expectEverySplit(codec, stream, messages, text);
  });

  it("writes the header big-endian by default", () => {
    expect([...lengthPrefixed().encode(bytes("ab"))]).toEqual([0, 0, 0, 2, 0x61, 0x62]);
    expect([...lengthPrefixed({ width: 2 }).encode(new Uint8Array(258))].slice(0, 2)).toEqual([
      1, 2,
    ]);
  });

  it("writes and reads the header little-endian on request", () => {
    const codec = lengthPrefixed({ width: 2, littleEndian: true });
    const frame = codec.encode(new Uint8Array(258));
    expect([...frame.subarray(0, 2)]).toEqual([2, 1]);
    expect(pushAll(codec, [frame])[0]).toHaveLength(258);
    // The same bytes read big-endian announce 513 bytes: the two must not be confused.
    expect(lengthPrefixed({ width: 2 }).decoder().push(frame)).toEqual([]);
  });

  it("refuses to encode past the header's width, naming the size", () => {
    expect(lengthPrefixed({ width: 1 }).encode(new Uint8Array(255))).toHaveLength(256);
    expect(() => lengthPrefixed({ width: 1 }).encode(new Uint8Array(256))).toThrow(
      /256 bytes does not fit a 1-byte length \(at most 255\)/,
    );
    expect(() =>
      lengthPrefixed({ width: 2, maxMessageSize: 100_000 }).encode(new Uint8Array(65_536)),
    ).toThrow(RangeError);
  });

  it("refuses to encode past maxMessageSize", () => {
    expect(() => lengthPrefixed({ maxMessageSize: 10 }).encode(new Uint8Array(11))).toThrow(
      /11 bytes exceeds maxMessageSize \(10\)/,
    );
    expect(() => lengthPrefixed().encode("text" as unknown as Uint8Array)).toThrow(TypeError);
  });

  it("fails at once on a header claiming 4 GiB, before any body arrives", () => {
    const push = lengthPrefixed().decoder();
    const error = expectSocketError(
      () => push.push(Uint8Array.of(0xff, 0xff, 0xff, 0xff)),
      "EMSGSIZE",
    );
    expect(error.message).toMatch(/announcing 4294967295 bytes exceeds maxMessageSize \(1048576\)/);
  });

  it("checks the header as soon as its last byte arrives", () => {
    const push = lengthPrefixed({ width: 2, maxMessageSize: 100 }).decoder();
    expect(push.push(Uint8Array.of(0))).toEqual([]);
    expectSocketError(() => push.push(Uint8Array.of(101)), "EMSGSIZE");
  });

  it("accepts a message of exactly maxMessageSize", () => {
    const codec = lengthPrefixed({ maxMessageSize: 3 });
    expect(pushAll(codec, [codec.encode(bytes("abc"))]).map(text)).toEqual(["abc"]);
  });

  it("decodes 1-byte chunks", () => {
    const codec = lengthPrefixed({ width: 2 });
    const stream = concat(codec.encode(bytes("one")), codec.encode(bytes("two")));
    expect(pushAll(codec, oneByteChunks(stream)).map(text)).toEqual(["one", "two"]);
  });

  it("decodes a chunk carrying 1,000 messages as views of it", () => {
    const codec = lengthPrefixed({ width: 1 });
    const expected = Array.from({ length: 1000 }, (_, index) => `message ${index}`);
    const chunk = concat(...expected.map((message) => codec.encode(bytes(message))));
    const decoded = codec.decoder().push(chunk);
    expect(decoded.map(text)).toEqual(expected);
    expect(decoded.every((message) => message.buffer === chunk.buffer)).toBe(true);
  });

  it("fails with EIO when the stream ends inside a header or a body", () => {
    const inHeader = lengthPrefixed().decoder();
    inHeader.push(Uint8Array.of(0, 0));
    expect(inHeader.buffered).toBe(2);
    expectSocketError(() => inHeader.end(), "EIO", /\(2 bytes of a 4-byte header\)/);

    const inBody = lengthPrefixed({ width: 1 }).decoder();
    inBody.push(Uint8Array.of(10, 1, 2, 3));
    expect(inBody.buffered).toBe(4);
    expectSocketError(() => inBody.end(), "EIO", /stream ended inside a message \(3 bytes of 10\)/);
  });
});

describe("decode", () => {
  it("ends cleanly when the source ends on a message boundary", async () => {
    const { iterable, state } = source([bytes("a\nb"), bytes("\n")]);
    expect(await collect(lines().decode(iterable))).toEqual(["a", "b"]);
    expect(state.returned).toBe(false);
  });

  it("throws EIO when the source ends inside a message", async () => {
    await expect(collect(lines().decode(source([bytes("a\nb")]).iterable))).rejects.toMatchObject({
      code: "EIO",
      syscall: "decode",
    });
  });

  it("closes the source when the consumer breaks early", async () => {
    const { iterable, state } = source([bytes("a\nb\n"), bytes("c\n"), bytes("d\n")]);
    for await (const line of lines().decode(iterable)) {
      if (line === "a") break;
    }
    expect(state.returned).toBe(true);
    expect(state.pulled).toBe(1);
  });

  it("closes the source when the peer exceeds maxMessageSize", async () => {
    const { iterable, state } = source([bytes("ok\n"), new Uint8Array(20)]);
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const line of lines({ maxMessageSize: 10 }).decode(iterable)) seen.push(line);
      })(),
    ).rejects.toMatchObject({ code: "EMSGSIZE" });
    expect(seen).toEqual(["ok"]);
    expect(state.returned).toBe(true);
  });

  it("rejects a chunk that is not a Uint8Array", () => {
    expect(() =>
      lines()
        .decoder()
        .push("text" as unknown as Uint8Array),
    ).toThrow(TypeError);
  });
});

/**
 * A source that, like a `Socket`, takes back what a decoder gives it through the internal
 * `Symbol.for("omnisock.unread")` method and serves it to the next reader first.
 */
class Rereadable implements AsyncIterable<Uint8Array> {
  readonly chunks: Uint8Array[];
  readonly givenBack: Uint8Array[][] = [];

  constructor(chunks: Uint8Array[]) {
    this.chunks = [...chunks];
  }

  [Symbol.for("omnisock.unread")](chunks: Uint8Array[]): void {
    this.givenBack.push(chunks);
    this.chunks.unshift(...chunks);
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: async () => {
        const chunk = this.chunks.shift();
        return chunk === undefined
          ? { done: true, value: undefined }
          : { done: false, value: chunk };
      },
      return: async () => ({ done: true, value: undefined }),
    };
  }

  /** Everything not read yet, in order. */
  rest(): Uint8Array {
    return concat(...this.chunks);
  }
}

/** Decode `chunks` from a {@link Rereadable} and leave the loop after `count` messages. */
async function takeThenBreak<Message>(codec: Codec<Message>, chunks: Uint8Array[], count: number) {
  const source = new Rereadable(chunks);
  const taken: Message[] = [];
  if (count > 0) {
    for await (const message of codec.decode(source)) {
      taken.push(message);
      if (taken.length === count) break;
    }
  }
  return { taken, source };
}

/**
 * For every 1-, 2- and 3-piece split of the frames' stream and every message to stop after:
 * the messages before it arrive, and the frames taken followed by what the source serves next
 * are the stream, byte for byte.
 */
async function expectEveryBreak<Message>(
  codec: Codec<Message>,
  frames: Uint8Array[],
  expected: unknown[],
  view: (message: Message) => unknown = (message) => message,
): Promise<void> {
  const stream = concat(...frames);
  for (const pieces of splits(stream)) {
    for (let count = 1; count <= expected.length; count++) {
      const { taken, source } = await takeThenBreak(codec, pieces, count);
      expect(taken.map(view)).toEqual(expected.slice(0, count));
      expect(concat(...frames.slice(0, count), source.rest())).toEqual(stream);
    }
  }
}

describe("decode: leaving early gives the unconsumed bytes back", () => {
  it("after message k of a chunk that carries several, whatever the split", async () => {
    const frames = ["Hello\r\n", "SFML\n", "\n", "hé\n"].map(bytes);
    await expectEveryBreak(lines(), frames, ["Hello", "SFML", "", "hé"]);
  });

  it("with a multi-byte delimiter, even one whose match straddles chunks", async () => {
    const frames = ["one\r\n\r\n", "t\r\nwo\r\n\r\n", "\r\n\r\n", "three\r\n\r\n"].map(bytes);
    await expectEveryBreak(delimited("\r\n\r\n"), frames, ["one", "t\r\nwo", "", "three"], text);
    // A delimiter that overlaps itself: partial matches that fail and start over.
    const overlapping = ["abb", "ba", "xa"].map((message) => bytes(`${message}aba`));
    await expectEveryBreak(delimited("aba"), overlapping, ["abb", "ba", "xa"], text);
  });

  it.each([1, 2, 4] as const)("with a %i-byte length header, whatever the split", async (width) => {
    const codec = lengthPrefixed({ width });
    const frames = ["Hello", "", "SFML", "x"].map((message) => codec.encode(bytes(message)));
    await expectEveryBreak(codec, frames, ["Hello", "", "SFML", "x"], text);
  });

  it("gives back the rest of the chunk: whole messages, then a partial one", async () => {
    const { taken, source } = await takeThenBreak(
      lines(),
      [bytes("a\nb\nc\npart"), bytes("ial\n")],
      1,
    );
    expect(taken).toEqual(["a"]);
    expect(source.givenBack.map((chunks) => text(concat(...chunks)))).toEqual(["b\nc\npart"]);
    expect(text(source.rest())).toBe("b\nc\npartial\n");
  });

  it("gives back a partial length header, and a header whose body is partial", async () => {
    const codec = lengthPrefixed();
    const next = codec.encode(bytes("next"));
    const inHeader = await takeThenBreak(
      codec,
      [concat(codec.encode(bytes("one")), next.subarray(0, 2))],
      1,
    );
    expect(inHeader.source.rest()).toEqual(next.subarray(0, 2));
    const inBody = await takeThenBreak(
      codec,
      [concat(codec.encode(bytes("one")), next.subarray(0, 6))],
      1,
    );
    expect(inBody.source.rest()).toEqual(next.subarray(0, 6));
  });

  it("gives back a partial delimiter whose match began in an earlier chunk", async () => {
    const codec = delimited("<END>");
    const { taken, source } = await takeThenBreak(codec, [bytes("a<END>b<E"), bytes("N")], 1);
    expect(taken.map(text)).toEqual(["a"]);
    expect(text(source.rest())).toBe("b<EN");
    // Read on by a fresh decoder, the partial delimiter is matched from its start.
    const rest = await collect(codec.decode(new Rereadable([source.rest(), bytes("D>")])));
    expect(rest.map(text)).toEqual(["b"]);
  });

  it("gives back CRLF lines as they came, \r included", async () => {
    const { source } = await takeThenBreak(
      lines(),
      [bytes("one\r\ntwo\r"), bytes("\nthree\r\n")],
      1,
    );
    expect(text(source.rest())).toBe("two\r\nthree\r\n");
  });

  it("with emitTrailing, gives back an unterminated line, and nothing after the trailing line", async () => {
    const codec = lines({ emitTrailing: true });
    const early = await takeThenBreak(codec, [bytes("a\nb")], 1);
    expect(text(early.source.rest())).toBe("b");
    const last = await takeThenBreak(codec, [bytes("a\nb")], 2);
    expect(last.taken).toEqual(["a", "b"]);
    expect(last.source.givenBack).toEqual([]);
  });

  it("gives back when the loop body throws, and the throw reaches the caller", async () => {
    const source = new Rereadable([bytes("a\nb\n")]);
    const thrown = new Error("consumer failed");
    await expect(
      (async () => {
        for await (const line of lines().decode(source)) if (line === "a") throw thrown;
      })(),
    ).rejects.toBe(thrown);
    expect(text(source.rest())).toBe("b\n");
  });

  it("gives nothing back after a peer's fault or an error of the source", async () => {
    const oversized = new Rereadable([bytes("ok\n0123456789abc")]);
    await expect(collect(lines({ maxMessageSize: 10 }).decode(oversized))).rejects.toMatchObject({
      code: "EMSGSIZE",
    });
    expect(oversized.givenBack).toEqual([]);

    const truncated = new Rereadable([bytes("ok\npartial")]);
    await expect(collect(lines().decode(truncated))).rejects.toMatchObject({ code: "EIO" });
    expect(truncated.givenBack).toEqual([]);

    const failing = new Rereadable([bytes("ok\npart")]);
    const reset = new SocketError("ECONNRESET", "reset by peer");
    const iterate = failing[Symbol.asyncIterator].bind(failing);
    failing[Symbol.asyncIterator] = () => {
      const inner = iterate();
      let calls = 0;
      return { ...inner, next: () => (calls++ === 0 ? inner.next() : Promise.reject(reset)) };
    };
    await expect(collect(lines().decode(failing))).rejects.toBe(reset);
    expect(failing.givenBack).toEqual([]);
  });

  it("drops the bytes of a source that is not a Socket, and still closes it", async () => {
    const { iterable, state } = source([bytes("a\nb\n")]);
    for await (const line of lines().decode(iterable)) if (line === "a") break;
    expect(state.returned).toBe(true);
  });

  it("push() still gives every message a chunk completes", () => {
    const push = lengthPrefixed({ width: 1 }).decoder();
    const chunk = concat(...["a", "b", "c"].map((message) => Uint8Array.of(1, ...bytes(message))));
    expect(push.push(chunk).map(text)).toEqual(["a", "b", "c"]);
    expect(push.buffered).toBe(0);
  });
});

describe("options", () => {
  it.each([
    [
      "lines maxMessageSize 0",
      () => lines({ maxMessageSize: 0 }),
      RangeError,
      /"options.maxMessageSize".*Received 0/,
    ],
    [
      "lines maxMessageSize 1.5",
      () => lines({ maxMessageSize: 1.5 }),
      RangeError,
      /maxMessageSize.*1\.5/,
    ],
    [
      "lines maxMessageSize string",
      () => lines({ maxMessageSize: "9" as never }),
      TypeError,
      /maxMessageSize.*"9"/,
    ],
    [
      "lines encoding",
      () => lines({ encoding: "utf8" as never }),
      RangeError,
      /"options.encoding".*"utf8"/,
    ],
    [
      "lines emitTrailing",
      () => lines({ emitTrailing: 1 as never }),
      TypeError,
      /"options.emitTrailing".*1/,
    ],
    [
      "lines misspelt option",
      () => lines({ maxMesageSize: 9 } as never),
      TypeError,
      /Unknown option "maxMesageSize"/,
    ],
    ["lines null options", () => lines(null as never), TypeError, /"options".*null/],
    ["delimited empty", () => delimited(""), RangeError, /"delimiter".*empty/],
    ["delimited number", () => delimited(10 as never), TypeError, /"delimiter".*10/],
    [
      "delimited maxMessageSize",
      () => delimited("\n", { maxMessageSize: -1 }),
      RangeError,
      /maxMessageSize.*-1/,
    ],
    [
      "lengthPrefixed width 3",
      () => lengthPrefixed({ width: 3 as never }),
      RangeError,
      /"options.width".*Received 3/,
    ],
    [
      "lengthPrefixed width string",
      () => lengthPrefixed({ width: "4" as never }),
      TypeError,
      /"options.width"/,
    ],
    [
      "lengthPrefixed littleEndian",
      () => lengthPrefixed({ littleEndian: "yes" as never }),
      TypeError,
      /littleEndian/,
    ],
    [
      "lengthPrefixed includesHeader",
      () => lengthPrefixed({ includesHeader: true as never }),
      RangeError,
      /includesHeader.*true/,
    ],
  ])("refuses %s", (_, create, errorClass, message) => {
    expect(create).toThrow(errorClass);
    expect(create).toThrow(message);
  });
});
