// Backpressure: write() says "enough" at highWaterMark, flush() waits for the kernel, and a
// reader that does not consume pushes back all the way to the writer.
import { describe, expect, it } from "vitest";
import type { Api } from "../context.js";
import {
  ByteReader,
  acceptingServer,
  connectTo,
  settlesWithin,
  sleep,
  within,
} from "../helpers.js";

const MiB = 1024 * 1024;

export function backpressureCases(api: Api): void {
  describe("backpressure", () => {
    it("write() returns false at highWaterMark, and flush() resolves once the kernel has it all", async () => {
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address, { highWaterMark: 1024 });
      const peer = await accepted();
      const received = new ByteReader(peer).read(1 + 1024 + 4096);
      received.catch(() => {}); // awaited below; a failure before that must not go unhandled
      // The first write of a tick leaves at once; the ones after it in the tick are queued.
      expect(client.write(new Uint8Array(1))).toBe(true);
      expect(client.writableLength).toBe(0);
      expect(client.write(new Uint8Array(1023))).toBe(true);
      expect(client.writableLength).toBe(1023);
      expect(client.write(new Uint8Array(1))).toBe(false);
      // Never drops: a write past the mark is queued all the same.
      expect(client.write(new Uint8Array(4096))).toBe(false);
      expect(client.writableLength).toBe(1024 + 4096);
      await within(5_000, "flush", client.flush());
      expect(client.writableLength).toBe(0);
      expect((await received).byteLength).toBe(1 + 1024 + 4096);
      expect(client.stats.bytesSent).toBe(1 + 1024 + 4096);
    });

    it("a peer that does not read stalls flush(); the reader buffers a bounded amount; reading resumes the flow", async () => {
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address);
      const peer = await accepted();
      const chunk = new Uint8Array(MiB).fill(7);
      // The peer does not read. Write, respecting `false` + flush(), until a flush stalls.
      let written = 0;
      let stalled: Promise<void> | undefined;
      let largestQueue = 0;
      for (let round = 0; round < 256 && stalled === undefined; round++) {
        client.write(chunk);
        written += chunk.byteLength;
        largestQueue = Math.max(largestQueue, client.writableLength);
        const flushed = client.flush();
        if (!(await settlesWithin(300, flushed))) stalled = flushed;
      }
      if (stalled === undefined)
        throw new Error(`flush() never stalled after ${written} bytes: nothing pushed back`);
      // The writer's own queue stayed bounded (one chunk plus the mark, not everything written).
      expect(largestQueue).toBeLessThanOrEqual(chunk.byteLength + 65_536);
      // The reader took a bounded amount off the kernel while nobody consumed it, and stops there.
      const bound = 2 * MiB;
      const taken = peer.stats.bytesReceived;
      expect(taken).toBeLessThan(bound);
      await sleep(200);
      expect(peer.stats.bytesReceived).toBeLessThan(bound);
      expect(await settlesWithin(50, stalled)).toBe(false);

      // Consume: everything written arrives, and the stalled flush resolves.
      let total = 0;
      const draining = (async () => {
        for await (const received of peer) {
          total += received.byteLength;
          if (total >= written) break;
        }
      })();
      await within(10_000, "the stalled flush", stalled);
      await within(10_000, "draining", draining);
      expect(total).toBe(written);
      expect(client.stats.bytesSent).toBe(written);
    });

    it("reading pauses when the consumer does, and picks up where it left off", async () => {
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address);
      const peer = await accepted();
      const size = 8 * MiB;
      const sent = (async () => {
        const block = new Uint8Array(256 * 1024);
        for (let offset = 0; offset < size; offset += block.byteLength) {
          block.fill((offset / block.byteLength) & 0xff);
          // A copy per write: the engine may keep a large array without copying until flushed.
          if (!client.write(block.slice())) await within(10_000, "flush", client.flush());
        }
        await within(5_000, "end", client.end());
      })();
      // Read a little, then stop consuming for a while: the sender must not get far ahead.
      const reader = new ByteReader(peer);
      await reader.read(1024);
      await sleep(300);
      expect(peer.stats.bytesReceived).toBeLessThan(2 * MiB);
      const rest = await reader.readToEnd(10_000, size);
      expect(rest.byteLength + 1024).toBe(size);
      // Every 256 KiB block carries its own index: in order, nothing lost or repeated.
      for (let at = 0; at < rest.byteLength; at += 4096) {
        const expected = Math.floor((at + 1024) / (256 * 1024)) & 0xff;
        if (rest[at] !== expected)
          throw new Error(`byte ${at + 1024} is ${rest[at]}, expected ${expected}`);
      }
      await within(5_000, "sender", sent);
    });
  });
}
