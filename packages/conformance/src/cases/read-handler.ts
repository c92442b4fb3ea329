// Reading by callback: `socket.read(handler)` and `datagramSocket.read(handler)`, the form
// without a promise per chunk. The same stream as `for await`: in order, with backpressure
// against a slow handler, ending at the FIN or the error, and handing over to the next reader
// without losing a byte.
import { type ChunkHandler, type Datagram, type Socket, SocketError } from "@omnisock/core";
import { describe, expect, it } from "vitest";
import type { Api } from "../context.js";
import { caCert } from "../fixtures/tls.js";
import {
  ByteReader,
  acceptingServer,
  bytes,
  concat,
  connectTo,
  defer,
  deferred,
  portOf,
  pseudoRandomBytes,
  sha256,
  sleep,
  text,
  until,
  within,
} from "../helpers.js";
import { startTlsServer } from "./tls.js";

const KiB = 1024;
const MiB = 1024 * KiB;

/** A connected pair over loopback: `client` and the server's side of it, `peer`. */
async function pair(api: Api, options: Record<string, unknown> = {}) {
  const { server, accepted } = await acceptingServer(api);
  const client = await connectTo(api, server.address, options);
  return { client, peer: await accepted() };
}

/** Write `data` in `size`-byte pieces, respecting `false` + flush(); then end(). */
async function send(socket: Socket, data: Uint8Array, size: number): Promise<void> {
  for (let offset = 0; offset < data.byteLength; offset += size) {
    // A copy per write: the engine may keep a large array without copying until flushed.
    if (!socket.write(data.slice(offset, offset + size))) {
      await within(10_000, "flush", socket.flush());
    }
  }
  await within(5_000, "end", socket.end());
}

export function readHandlerCases(api: Api): void {
  const { reset, tls, tlsUpgrade, udp } = api.capabilities;

  describe("read(handler)", () => {
    it("hands each chunk over in order, with the socket, and resolves at the FIN after the last", async () => {
      const { client, peer } = await pair(api);
      const data = pseudoRandomBytes(1 * MiB);
      const sending = send(peer, data, 1000);
      const chunks: Uint8Array[] = [];
      let others = 0;
      await within(
        10_000,
        "read()",
        client.read((chunk, socket) => {
          if (socket !== client) others++;
          chunks.push(chunk);
        }),
      );
      await sending;
      expect(others).toBe(0);
      const received = concat(chunks);
      expect(received.byteLength).toBe(data.byteLength);
      expect(await sha256(received)).toBe(await sha256(data));
      expect(client.stats.bytesReceived).toBe(data.byteLength);
    });

    it("a handler's promise pauses reading: 32 MiB to a slow handler all arrive, and the sender is pushed back", async () => {
      const { client, peer } = await pair(api);
      const total = 32 * MiB;
      const data = pseudoRandomBytes(total);
      const sending = send(peer, data, 256 * KiB);
      sending.catch(() => {}); // awaited below; a failure before that must not go unhandled
      const gate = deferred<void>();
      const chunks: Uint8Array[] = [];
      let calls = 0;
      const reading = client.read((chunk) => {
        chunks.push(chunk);
        calls++;
        // The first chunk holds reading until the gate opens; then every 8th takes a timer.
        if (calls === 1) return gate.promise;
        if (calls % 8 === 0) return sleep(0);
        return undefined;
      });
      reading.catch(() => {});
      await until(5_000, "the first chunk", () => calls > 0);
      await sleep(300);
      // Held: the reader took a bounded amount off the kernel, far from all 32 MiB.
      const held = client.stats.bytesReceived;
      expect(held).toBeLessThan(4 * MiB);
      expect(calls).toBe(1);
      await sleep(100);
      expect(client.stats.bytesReceived).toBe(held);
      gate.resolve();
      await within(30_000, "read()", reading);
      await within(10_000, "sending", sending);
      const received = concat(chunks);
      expect(received.byteLength).toBe(total);
      expect(await sha256(received)).toBe(await sha256(data));
    });

    it.runIf(reset)("rejects with ECONNRESET at the peer's RST", async () => {
      const { client, peer } = await pair(api);
      const total = 16 * MiB;
      peer.write(new Uint8Array(total).fill(5));
      let received = 0;
      const error = await within(
        5_000,
        "read()",
        client.read((chunk) => {
          received += chunk.byteLength;
          // Mid-transfer: most of the 16 MiB is still queued at the peer.
          if (received >= 256 * KiB && peer.state !== "closed") void peer.reset();
        }),
      ).then(
        () => new Error(`read() resolved after ${received} bytes`),
        (thrown: unknown) => thrown,
      );
      expect(error, String(error)).toBeInstanceOf(SocketError);
      expect((error as SocketError).code, String(error)).toBe("ECONNRESET");
      expect(received).toBeLessThan(total);
    });

    it("stops at a signal, inside the handler or from outside, and the next reader gets the rest", async () => {
      const { client, peer } = await pair(api);
      const data = pseudoRandomBytes(2 * MiB, 7);
      // Stopped inside the handler, once some has come.
      const sending = send(peer, data, 16 * KiB);
      sending.catch(() => {});
      const first: Uint8Array[] = [];
      const inside = new AbortController();
      let late = 0;
      await within(
        5_000,
        "read() stopped inside",
        client.read(
          (chunk) => {
            if (inside.signal.aborted) late++;
            first.push(chunk);
            if (concat(first).byteLength >= 100 * KiB) inside.abort();
          },
          { signal: inside.signal },
        ),
      );
      expect(late).toBe(0);
      expect(client.state).toBe("open");
      // Stopped from outside, while the handler is idle or busy: read() resolves, nothing lost.
      const outside = new AbortController();
      const second: Uint8Array[] = [];
      const stopped = client.read((chunk) => void second.push(chunk), { signal: outside.signal });
      await sleep(5);
      outside.abort();
      await within(5_000, "read() stopped outside", stopped);
      // The rest, with for await.
      const rest = await new ByteReader(client).readToEnd(10_000);
      await within(10_000, "sending", sending);
      const received = concat([...first, ...second, rest]);
      expect(received.byteLength).toBe(data.byteLength);
      expect(await sha256(received)).toBe(await sha256(data));
    });

    it("what the handler throws, or its promise rejects with, is what read() rejects with; the socket stays open", async () => {
      const { client, peer } = await pair(api);
      const thrown = new Error("thrown by the handler");
      const rejected = new Error("rejected by the handler");
      const handlers: [Error, ChunkHandler][] = [
        [
          thrown,
          () => {
            throw thrown;
          },
        ],
        [rejected, () => Promise.reject(rejected)],
      ];
      for (const [error, handler] of handlers) {
        peer.write("chunk");
        await expect(within(5_000, "read()", client.read(handler))).rejects.toBe(error);
        expect(client.state).toBe("open");
      }
      // Both ways round still work.
      peer.write("three");
      expect(await new ByteReader(client).readText(5)).toBe("three");
      client.write("back");
      expect(await new ByteReader(peer).readText(4)).toBe("back");
    });

    it("is one reader at a time: a second read() or an iterator meanwhile is a TypeError", async () => {
      const { client, peer } = await pair(api);
      const stop = new AbortController();
      const chunks: string[] = [];
      const reading = client.read((chunk) => void chunks.push(text(chunk)), {
        signal: stop.signal,
      });
      await expect(client.read(() => {})).rejects.toBeInstanceOf(TypeError);
      await expect(client[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(TypeError);
      peer.write("still read");
      await until(5_000, "the chunk", () => chunks.join("") === "still read");
      stop.abort();
      await within(2_000, "read()", reading);
      // Once stopped, another reader may take over.
      peer.write("next");
      expect(await new ByteReader(client).readText(4)).toBe("next");
    });

    it.runIf(tls && tlsUpgrade)(
      "stopped inside the handler at the server's answer, startTls() follows",
      async () => {
        // A relay to a TLS server: it needs no server-side upgrade, which not every runtime has.
        const { port } = await startTlsServer(api, async (reader, socket) => {
          const request = await reader.readText(9);
          socket.write("GO\n");
          return request;
        });
        const plain = await connectTo(api, `localhost:${port}`);
        plain.write("STARTTLS\n");
        const stop = new AbortController();
        let answer = "";
        await within(
          5_000,
          "read()",
          plain.read(
            (chunk) => {
              answer += text(chunk);
              if (answer.endsWith("\n")) stop.abort();
            },
            { signal: stop.signal },
          ),
        );
        expect(answer).toBe("GO\n");
        const client = await within(5_000, "startTls", plain.startTls({ ca: caCert }));
        defer(() => client.reset());
        const received: string[] = [];
        const reading = client.read((chunk) => void received.push(text(chunk)));
        reading.catch(() => {});
        client.write("secure");
        await until(5_000, "the echo", () => received.join("") === "secure");
        await within(2_000, "end", client.end());
        await within(5_000, "read()", reading);
      },
    );

    describe.runIf(udp)("on a datagram socket", () => {
      it("hands each datagram over with its sender; stops at a signal; the next reader gets the rest", async () => {
        const receiver = await api.bind({ hostname: "127.0.0.1", port: 0 });
        defer(() => receiver.close());
        const sender = await api.bind({ hostname: "127.0.0.1", port: 0 });
        defer(() => sender.close());
        const stop = new AbortController();
        const got: Datagram[] = [];
        const reading = receiver.read(
          (datagram, socket) => {
            expect(socket).toBe(receiver);
            got.push(datagram);
            if (got.length === 3) stop.abort();
          },
          { signal: stop.signal },
        );
        await expect(receiver[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(TypeError);
        for (const word of ["one", "two", "three"]) {
          await within(2_000, "send", sender.send(word, receiver.localAddress));
        }
        await within(5_000, "read()", reading);
        expect(got.map((datagram) => text(datagram.data))).toEqual(["one", "two", "three"]);
        expect(got[0]!.remote.port).toBe(portOf(sender.localAddress));
        await within(2_000, "send", sender.send(bytes("four"), receiver.localAddress));
        const { value } = await within(5_000, "for await", receiver[Symbol.asyncIterator]().next());
        expect(text((value as Datagram).data)).toBe("four");
      });

      it("with borrow, each datagram is still the handler's to keep", async () => {
        const receiver = await api.bind({ hostname: "127.0.0.1", port: 0 });
        defer(() => receiver.close());
        const sender = await api.bind({ hostname: "127.0.0.1", port: 0 });
        defer(() => sender.close());
        const stop = new AbortController();
        const kept: Uint8Array[] = [];
        const reading = receiver.read(
          (datagram) => {
            kept.push(datagram.data);
            if (kept.length === 3) stop.abort();
          },
          { signal: stop.signal, borrow: true },
        );
        for (const word of ["one", "two", "three"]) {
          await within(2_000, "send", sender.send(word, receiver.localAddress));
        }
        await within(5_000, "read()", reading);
        expect(kept.map(text)).toEqual(["one", "two", "three"]);
      });

      it("resolves once the socket is closed", async () => {
        const receiver = await api.bind({ hostname: "127.0.0.1", port: 0 });
        defer(() => receiver.close());
        let calls = 0;
        const reading = receiver.read(() => void calls++);
        await sleep(20);
        await within(2_000, "close", receiver.close());
        await within(2_000, "read()", reading);
        expect(calls).toBe(0);
      });
    });
  });
}
