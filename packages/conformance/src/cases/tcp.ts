// Moving bytes over TCP: round trips, fragmentation, bulk, coalescing, counters, addresses.
import { describe, expect, it } from "vitest";
import type { Api } from "../context.js";
import {
  ByteReader,
  acceptingServer,
  bytes,
  concat,
  connectTo,
  defer,
  echoServer,
  expectBorrowedChunksIntact,
  expectKeptChunksIntact,
  portOf,
  pseudoRandomBytes,
  sha256,
  text,
  within,
} from "../helpers.js";

export function tcpCases(api: Api): void {
  describe("tcp", () => {
    it("echoes a message back (round trip)", async () => {
      const server = await echoServer(api);
      const client = await connectTo(api, server.address);
      expect(client.write("hello, omnisock")).toBe(true);
      expect(await new ByteReader(client).readText(15)).toBe("hello, omnisock");
      expect(client.transport).toBe("tcp");
      expect(client.role).toBe("client");
      expect(client.secure).toBe(false);
    });

    it("connects to a target written as host:port and as tcp://host:port", async () => {
      const server = await echoServer(api);
      const port = portOf(server.address);
      for (const target of [
        `127.0.0.1:${port}`,
        `tcp://127.0.0.1:${port}`,
        { hostname: "127.0.0.1", port },
      ]) {
        const client = await connectTo(api, target);
        client.write("x");
        expect(await new ByteReader(client).readText(1)).toBe("x");
      }
    });

    it("reassembles 1-byte writes, each flushed on its own, whatever the read sizes", async () => {
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address);
      const peer = await accepted();
      const message =
        "Fragmented: every byte leaves in its own packet, and all arrive in order.".repeat(3);
      const payload = bytes(message);
      const received = new ByteReader(peer).readText(payload.byteLength, 10_000);
      for (const byte of payload) {
        client.write(new Uint8Array([byte]));
        await within(2_000, "flush", client.flush());
      }
      expect(await received).toBe(message);
      // One write handed to the kernel per flushed write: nothing could be coalesced.
      expect(client.stats.packetsSent).toBe(payload.byteLength);
      expect(client.stats.bytesSent).toBe(payload.byteLength);
    });

    it("moves 64 MiB intact (sha256 equal at both ends)", async () => {
      const size = 64 * 1024 * 1024;
      const data = pseudoRandomBytes(size);
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address);
      const peer = await accepted();
      const received = (async () => {
        const buffer = new Uint8Array(size);
        let offset = 0;
        for await (const chunk of peer) {
          if (offset + chunk.byteLength > size) throw new Error("more bytes than were sent");
          buffer.set(chunk, offset);
          offset += chunk.byteLength;
        }
        return buffer.subarray(0, offset);
      })();
      // Odd chunk sizes, so that chunk and segment boundaries never line up.
      const chunkSize = 1_000_003;
      for (let offset = 0; offset < size; offset += chunkSize) {
        if (!client.write(data.subarray(offset, offset + chunkSize))) {
          await within(10_000, "flush", client.flush());
        }
      }
      await within(10_000, "end", client.end());
      const got = await within(20_000, "receiving 64 MiB", received);
      expect(got.byteLength).toBe(size);
      expect(await sha256(got)).toBe(await sha256(data));
      expect(client.stats.bytesSent).toBe(size);
      expect(peer.stats.bytesReceived).toBe(size);
    });

    it("chunks the reader keeps stay intact while later reads arrive", async () => {
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address);
      await expectKeptChunksIntact(client, await accepted(), 16 * 1024 * 1024);
    });

    it("a handler that borrows its chunks gets every byte, between readers that keep theirs, both ways", async () => {
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address);
      const peer = await accepted();
      await expectBorrowedChunksIntact(client, peer, 16 * 1024 * 1024);
      await expectBorrowedChunksIntact(peer, client, 16 * 1024 * 1024);
    });

    it("one-at-a-time messages of one length reach a borrowing handler and a keeping one whole", async () => {
      // A ping-pong's reads are all one length: the drivers may serve each from the same
      // memory, and must still hand every message's own bytes.
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address);
      const peer = await accepted();
      const count = 200;
      const message = (index: number) => `${index}`.padStart(32, "ab");
      const kept: Uint8Array[] = [];
      const echoed = peer.read((chunk) => {
        kept.push(chunk);
        peer.write(chunk);
      });
      let replies = "";
      let next = 0;
      const stop = new AbortController();
      const done = client.read(
        (chunk) => {
          replies += text(chunk);
          if (replies.length === 32 * (next + 1)) {
            next++;
            if (next === count) return stop.abort();
            client.write(message(next));
          }
        },
        { signal: stop.signal, borrow: true },
      );
      client.write(message(0));
      await within(10_000, "200 round trips", done);
      const expected = Array.from({ length: count }, (_, index) => message(index)).join("");
      expect(replies).toBe(expected);
      expect(text(concat(kept))).toBe(expected);
      await client.close();
      await within(2_000, "peer's read", echoed);
    });

    it("coalesces 10,000 small writes issued in one tick, whole and in order", async () => {
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address);
      const peer = await accepted();
      const count = 10_000;
      const record = (index: number) => `${index}`.padStart(7, "0") + "\n";
      const received = new ByteReader(peer).readText(count * 8, 10_000);
      for (let index = 0; index < count; index++) client.write(record(index));
      await within(5_000, "flush", client.flush());
      const lines = (await received).split("\n");
      expect(lines.pop()).toBe("");
      expect(lines.length).toBe(count);
      for (let index = 0; index < count; index++) {
        if (lines[index] !== record(index).slice(0, -1)) {
          throw new Error(`record ${index} is ${JSON.stringify(lines[index])}`);
        }
      }
      expect(client.stats.bytesSent).toBe(count * 8);
      // Far fewer writes to the kernel than calls to write().
      expect(client.stats.packetsSent).toBeGreaterThan(0);
      expect(client.stats.packetsSent).toBeLessThanOrEqual(count / 100);
    });

    it("counts bytes and packets exactly, on both sides, for ping / pong / close", async () => {
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address);
      const peer = await accepted();
      const peerReader = new ByteReader(peer);
      const clientReader = new ByteReader(client);
      client.write("ping");
      expect(await peerReader.readText(4)).toBe("ping");
      peer.write("pong");
      expect(await clientReader.readText(4)).toBe("pong");
      await within(2_000, "client close", client.close());
      expect(await peerReader.readToEnd()).toHaveLength(0);
      await within(2_000, "peer close", peer.closed);
      for (const socket of [client, peer]) {
        const { bytesSent, bytesReceived, packetsSent, packetsReceived, openedAt, closedAt } =
          socket.stats;
        expect({ bytesSent, bytesReceived, packetsSent, packetsReceived }).toEqual({
          bytesSent: 4,
          bytesReceived: 4,
          packetsSent: 1,
          packetsReceived: 1,
        });
        expect(typeof openedAt).toBe("number");
        expect(closedAt).toBeGreaterThanOrEqual(openedAt);
      }
    });

    it("has its addresses when they are first asked for after close", async () => {
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address);
      const peer = await accepted();
      await within(2_000, "close", client.close());
      await within(2_000, "peer close", peer.closed);
      expect(client.localAddress).toMatchObject({
        transport: "tcp",
        hostname: "127.0.0.1",
        family: "IPv4",
      });
      expect(portOf(client.localAddress)).toBeGreaterThan(0);
      expect(peer.remoteAddress).toEqual(client.localAddress);
      expect(peer.localAddress).toEqual(client.remoteAddress);
    });

    it("keeps its addresses readable after close, matching the peer's", async () => {
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address);
      const peer = await accepted();
      const before = { local: client.localAddress, remote: client.remoteAddress };
      expect(client.remoteAddress).toEqual({
        transport: "tcp",
        hostname: "127.0.0.1",
        port: portOf(server.address),
        family: "IPv4",
      });
      expect(client.localAddress).toMatchObject({
        transport: "tcp",
        hostname: "127.0.0.1",
        family: "IPv4",
      });
      expect(peer.remoteAddress).toEqual(client.localAddress);
      expect(peer.localAddress).toEqual(client.remoteAddress);
      await within(2_000, "close", client.close());
      await within(2_000, "peer close", peer.closed);
      expect(client.state).toBe("closed");
      expect({ local: client.localAddress, remote: client.remoteAddress }).toEqual(before);
      expect(peer.remoteAddress).toEqual(before.local);
      const address = server.address;
      await within(2_000, "server close", server.close());
      expect(server.address).toEqual(address);
    });

    it("reads and writes through the web stream views", async () => {
      const server = await echoServer(api);
      const client = await connectTo(api, server.address);
      const writer = client.writable.getWriter();
      await within(2_000, "stream write", writer.write("web "));
      await within(2_000, "stream write", writer.write(bytes("streams")));
      const reader = client.readable.getReader();
      let received = "";
      while (received.length < 11) {
        const { value, done } = await within(2_000, "stream read", reader.read());
        if (done) break;
        received += text(value);
      }
      expect(received).toBe("web streams");
      // close() on the writable half-closes: the echo server ends, and so does the readable.
      await within(2_000, "stream close", writer.close());
      expect(await within(2_000, "stream end", reader.read())).toEqual({
        value: undefined,
        done: true,
      });
    });

    it("closes through Symbol.asyncDispose", async () => {
      const server = await echoServer(api);
      const client = await connectTo(api, server.address);
      const dispose = (client as unknown as Record<symbol, () => Promise<void>>)[
        Symbol.asyncDispose ?? Symbol.for("Symbol.asyncDispose")
      ];
      expect(typeof dispose).toBe("function");
      await within(2_000, "dispose", dispose!.call(client));
      expect(client.state).toBe("closed");
    });

    it("talks over IPv6 loopback (::1), where the host has it", async (context) => {
      let server;
      try {
        server = await api.listen({ hostname: "::1", port: 0 }, (socket) => {
          socket.write("six");
          void socket.close();
        });
      } catch (error) {
        // A host without IPv6 on loopback: nothing to test, not a failure of the adapter.
        if ((error as { code?: string }).code === "EADDRNOTAVAIL") return context.skip();
        throw error;
      }
      defer(() => server.close({ graceful: false }));
      expect(server.address).toMatchObject({ transport: "tcp", hostname: "::1", family: "IPv6" });
      const port = portOf(server.address);
      const client = await connectTo(api, `[::1]:${port}`);
      expect(client.remoteAddress).toEqual({
        transport: "tcp",
        hostname: "::1",
        port,
        family: "IPv6",
      });
      expect(text(await new ByteReader(client).readToEnd())).toBe("six");
    });
  });
}
