// Framing over a real socket: messages survive whatever split TCP makes of them.
import { SocketError, lengthPrefixed, lines } from "@omnisock/core";
import { describe, expect, it } from "vitest";
import type { Api } from "../context.js";
import {
  acceptingServer,
  bytes,
  concat,
  connectTo,
  pseudoRandomBytes,
  within,
} from "../helpers.js";

/** The first `count` messages of `decoding`, then the loop is left. */
async function firstOf<Message>(
  decoding: AsyncIterable<Message>,
  count: number,
): Promise<Message[]> {
  const messages: Message[] = [];
  for await (const message of decoding) {
    messages.push(message);
    if (messages.length === count) break;
  }
  return messages;
}

/** Every message of `decoding`, to the end of the stream. */
async function allOf<Message>(decoding: AsyncIterable<Message>): Promise<Message[]> {
  const messages: Message[] = [];
  for await (const message of decoding) messages.push(message);
  return messages;
}

export function framingCases(api: Api): void {
  describe("framing", () => {
    it("lengthPrefixed: messages of 0 B to 200 KiB round-trip through an echo, even written a byte at a time", async () => {
      const codec = lengthPrefixed();
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address);
      const peer = await accepted();
      // The server decodes and re-encodes each message: framing on both sides.
      const serving = (async () => {
        for await (const message of codec.decode(peer)) peer.write(codec.encode(message));
        await within(2_000, "end", peer.end());
      })();
      serving.catch(() => {});
      const sizes = [0, 1, 2, 255, 256, 65_535, 65_536, 200 * 1024];
      const messages = sizes.map((size, index) => pseudoRandomBytes(size, index + 1));
      // The first message goes a byte at a time, each byte flushed on its own.
      const first = codec.encode(messages[1]!);
      for (const byte of first) {
        client.write(new Uint8Array([byte]));
        await within(2_000, "flush", client.flush());
      }
      // The rest in one write: several messages per chunk.
      client.write(
        concat([messages[0]!, ...messages.slice(2)].map((message) => codec.encode(message))),
      );
      const expected = [messages[1]!, messages[0]!, ...messages.slice(2)];
      const received: Uint8Array[] = [];
      const decoding = codec.decode(client);
      for (let index = 0; index < expected.length; index++) {
        const { value, done } = await within(5_000, "a message", decoding.next());
        expect(done).toBe(false);
        received.push(value as Uint8Array);
      }
      expect(received.map((message) => message.byteLength)).toEqual(
        expected.map((message) => message.byteLength),
      );
      for (let index = 0; index < expected.length; index++)
        expect(received[index]).toEqual(expected[index]);
      await within(2_000, "end", client.end());
      await within(2_000, "server", serving);
    });

    it("lines: CRLF and LF, UTF-8 split across writes, come back as the same strings", async () => {
      const codec = lines();
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address);
      const peer = await accepted();
      const serving = (async () => {
        for await (const line of codec.decode(peer)) peer.write(codec.encode(line.toUpperCase()));
        await within(2_000, "end", peer.end());
      })();
      serving.catch(() => {});
      const wire = bytes("hello\r\nwörld ✓\nlast line\n");
      // Three bytes at a time: "ö" and "✓" are cut in the middle.
      for (let offset = 0; offset < wire.byteLength; offset += 3) {
        client.write(wire.subarray(offset, offset + 3));
        await within(2_000, "flush", client.flush());
      }
      await within(2_000, "end", client.end());
      const got = await within(
        5_000,
        "the answers",
        (async () => {
          const answers: string[] = [];
          for await (const line of codec.decode(client)) answers.push(line);
          return answers;
        })(),
      );
      expect(got).toEqual(["HELLO", "WÖRLD ✓", "LAST LINE"]);
      await within(2_000, "server", serving);
    });

    it("a protocol switches framing mid-stream: a decode loop left early gives its unread bytes back to the socket", async () => {
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address);
      const peer = await accepted();
      const messages = lengthPrefixed();
      // Bodies with "\n" in them: a line decoder that kept them would cut them up.
      const bodies = [Uint8Array.of(1, 0x0a, 2), pseudoRandomBytes(300, 7)];
      const wire = concat([
        bytes("one\ntwo\r\nthree\n"),
        ...bodies.map((body) => messages.encode(body)),
      ]);
      // One write: the lines and the messages arrive together, most likely in one read.
      peer.write(wire);
      await within(2_000, "end", peer.end());
      expect(await within(5_000, "a line", firstOf(lines().decode(client), 1))).toEqual(["one"]);
      expect(await within(5_000, "two lines", firstOf(lines().decode(client), 2))).toEqual([
        "two",
        "three",
      ]);
      const received = await within(5_000, "the messages", allOf(messages.decode(client)));
      expect(received.map((message) => [...message])).toEqual(bodies.map((body) => [...body]));
      // What the decoders gave back was counted once, when it arrived.
      expect(client.stats.bytesReceived).toBe(wire.byteLength);
    });

    it("a peer that announces a message over maxMessageSize gets EMSGSIZE", async () => {
      const codec = lengthPrefixed({ maxMessageSize: 1024 });
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address);
      const peer = await accepted();
      const decoding = (async () => {
        for await (const message of codec.decode(peer)) void message;
      })();
      decoding.catch(() => {});
      // A 4-byte header announcing 2 MiB, and no body: nothing should be allocated for it.
      client.write(new Uint8Array([0x00, 0x20, 0x00, 0x00]));
      const error = await within(
        2_000,
        "decode",
        decoding.then(
          () => undefined,
          (caught: unknown) => caught,
        ),
      );
      expect(error).toBeInstanceOf(SocketError);
      expect((error as SocketError).code).toBe("EMSGSIZE");
    });
  });
}
