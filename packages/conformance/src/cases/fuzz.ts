// Framing under random chunkings: every codec, seeded so that a failure can be replayed (the
// seed is in every assertion's message). Each stream is decoded twice: by a push decoder fed
// the random chunks, and by `codec.decode(socket)` after the chunks crossed a real connection.
import { type Codec, delimited, lengthPrefixed, lines, SocketError } from "@omnisock/core";
import { describe, expect, it } from "vitest";
import type { Api } from "../context.js";
import { acceptingServer, concat, connectTo, within } from "../helpers.js";

/** mulberry32: small, fast, and the same sequence on every runtime. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const below = (next: () => number, limit: number) => Math.floor(next() * limit);

function randomBytes(next: () => number, length: number, avoid?: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let index = 0; index < length; index++) {
    let byte = below(next, 256);
    if (byte === avoid) byte = (byte + 1) % 256;
    bytes[index] = byte;
  }
  return bytes;
}

// ASCII, Latin, CJK, an astral emoji, U+FEFF: splits land inside multi-byte sequences.
const alphabet = ["a", "Z", " ", "é", "€", "中", "😀", "\uFEFF", "\t"];
function randomText(next: () => number, length: number): string {
  let text = "";
  for (let index = 0; index < length; index++) text += alphabet[below(next, alphabet.length)];
  return text;
}

/** `stream` cut at random points: many 1-byte chunks, some large ones. */
function chunk(next: () => number, stream: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  while (offset < stream.length) {
    const size = next() < 0.4 ? 1 : 1 + below(next, 64);
    chunks.push(stream.subarray(offset, offset + size));
    offset += size;
  }
  return chunks;
}

function pushAll<Message>(codec: Codec<Message>, chunks: Uint8Array[]): Message[] {
  const decoder = codec.decoder();
  const messages: Message[] = [];
  for (const piece of chunks) messages.push(...decoder.push(piece));
  messages.push(...decoder.end());
  return messages;
}

interface Scenario<Message> {
  readonly name: string;
  readonly codec: Codec<Message>;
  readonly message: (next: () => number) => Message;
  /** The bytes a peer would send: `encode`, or (lines) CRLF line ends. */
  readonly frame?: (message: Message, next: () => number) => Uint8Array;
}

const scenarios: Scenario<unknown>[] = [
  {
    name: "lines (utf-8, LF and CRLF)",
    codec: lines(),
    message: (next) => randomText(next, below(next, 40)),
    frame: (message, next) => new TextEncoder().encode(`${message}${next() < 0.5 ? "\r\n" : "\n"}`),
  },
  {
    name: "lines (bytes)",
    codec: lines({ encoding: "bytes" }),
    // No "\n" inside, and no "\r" at the end (it would be taken for a CRLF).
    message: (next) => randomBytes(next, below(next, 40), 0x0a).map((b) => (b === 0x0d ? 0x0e : b)),
  },
  {
    name: 'delimited ("|")',
    codec: delimited("|"),
    message: (next) => randomBytes(next, below(next, 40), 0x7c),
  },
  {
    name: 'delimited ("aba", self-overlapping)',
    codec: delimited("aba"),
    // Only b's and c's: "aba" cannot occur inside, nor start across the boundary.
    message: (next) => randomBytes(next, below(next, 20)).map((byte) => (byte & 1 ? 0x62 : 0x63)),
  },
  {
    name: 'delimited ("\\r\\n\\r\\n")',
    codec: delimited("\r\n\r\n"),
    message: (next) => randomBytes(next, below(next, 40), 0x0d),
  },
  ...([1, 2, 4] as const).flatMap((width) =>
    [false, true].map((littleEndian) => ({
      name: `lengthPrefixed (width ${width}, ${littleEndian ? "little" : "big"}-endian)`,
      codec: lengthPrefixed({ width, littleEndian }) as Codec<unknown>,
      message: (next: () => number) => randomBytes(next, below(next, width === 1 ? 255 : 600)),
    })),
  ),
];

function encodeAll(scenario: Scenario<unknown>, next: () => number, count: number) {
  const messages = Array.from({ length: count }, () => scenario.message(next));
  const frames = messages.map((message) =>
    scenario.frame ? scenario.frame(message, next) : scenario.codec.encode(message),
  );
  return { messages, stream: concat(frames) };
}

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

export function fuzzCases(api: Api): void {
  describe("framing fuzz", () => {
    for (const scenario of scenarios) {
      it(`${scenario.name}: ${SEEDS.length} seeds of random messages and chunkings`, () => {
        for (const seed of SEEDS) {
          const next = random(seed);
          const { messages, stream } = encodeAll(scenario, next, 30);
          expect(pushAll(scenario.codec, chunk(next, stream)), `seed ${seed}`).toEqual(messages);
        }
      });
    }

    it("every codec over a real connection, chunks written and flushed at random", async () => {
      const { server, accepted } = await acceptingServer(api);
      for (const [index, scenario] of scenarios.entries()) {
        const seed = 100 + index;
        const next = random(seed);
        const { messages, stream } = encodeAll(scenario, next, 20);
        const client = await connectTo(api, server.address);
        const peer = await accepted();
        const decoding = (async () => {
          const received: unknown[] = [];
          for await (const message of scenario.codec.decode(peer)) received.push(message);
          return received;
        })();
        for (const piece of chunk(next, stream)) {
          client.write(piece.slice());
          // Some chunks wait until the kernel has them: they arrive as reads of their own.
          if (next() < 0.2) await within(2_000, "flush", client.flush());
        }
        await within(2_000, "end", client.end());
        expect(await within(5_000, "decoding", decoding), `${scenario.name}, seed ${seed}`).toEqual(
          messages,
        );
      }
    });

    it("a message over maxMessageSize is EMSGSIZE whatever the split", () => {
      for (const seed of SEEDS) {
        const next = random(seed);
        const cases: [Codec<unknown>, Uint8Array][] = [
          [lengthPrefixed({ maxMessageSize: 100 }) as Codec<unknown>, Uint8Array.of(0, 0, 0, 101)],
          [lines({ maxMessageSize: 100 }) as Codec<unknown>, new Uint8Array(150).fill(0x61)],
          [
            delimited("|", { maxMessageSize: 100 }) as Codec<unknown>,
            new Uint8Array(150).fill(0x61),
          ],
        ];
        for (const [codec, stream] of cases) {
          const error = catchError(() => pushAll(codec, chunk(next, stream)));
          expect(error, `seed ${seed}`).toBeInstanceOf(SocketError);
          expect((error as SocketError).code, `seed ${seed}`).toBe("EMSGSIZE");
        }
      }
    });

    it("a stream that ends inside a message is EIO; with emitTrailing, the last line", () => {
      for (const seed of SEEDS) {
        const next = random(seed);
        const cut = concat([lengthPrefixed().encode(randomBytes(next, 50))]).subarray(0, 20);
        const error = catchError(() => pushAll(lengthPrefixed(), chunk(next, cut)));
        expect((error as SocketError).code, `seed ${seed}`).toBe("EIO");
        const text = randomText(next, 10);
        const trailing = new TextEncoder().encode(`first\n${text}`);
        expect(
          pushAll(lines({ emitTrailing: true }), chunk(next, trailing)),
          `seed ${seed}`,
        ).toEqual(["first", text]);
      }
    });

    it("random bytes into lengthPrefixed fail only as a SocketError (EMSGSIZE or EIO)", () => {
      for (let seed = 1; seed <= 200; seed++) {
        const next = random(seed);
        const width = ([1, 2, 4] as const)[below(next, 3)]!;
        const codec = lengthPrefixed({ width, maxMessageSize: 1_000 }) as Codec<unknown>;
        const garbage = randomBytes(next, 1 + below(next, 300));
        const error = catchError(() => pushAll(codec, chunk(next, garbage)));
        if (error === undefined) continue; // it happened to frame whole messages
        expect(error, `seed ${seed}`).toBeInstanceOf(SocketError);
        expect(["EMSGSIZE", "EIO"], `seed ${seed}`).toContain((error as SocketError).code);
      }
    });
  });
}

function catchError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}
