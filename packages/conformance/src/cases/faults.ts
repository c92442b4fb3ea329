// Faults: resets, killed peers, aborts, cancelled readers and load — what an independent fault
// run broke, pinned here so that it stays fixed on every runtime.
import type { Socket } from "@omnisock/core";
import { SocketError } from "@omnisock/core";
import { describe, expect, it } from "vitest";
import { type Api, type BlackHole, type ConformanceContext, sourceByte } from "../context.js";
import {
  ByteReader,
  acceptingServer,
  bytes,
  connectTo,
  defer,
  deferred,
  echo,
  echoServer,
  eventually,
  expectSocketError,
  listenLocal,
  portOf,
  pseudoRandomBytes,
  settlesWithin,
  sha256,
  sleep,
  until,
  within,
} from "../helpers.js";

const KiB = 1024;
const MiB = 1024 * KiB;

/** Slack for descriptors the runtime opens on its own meanwhile (timers, a worker's pipe). */
const FD_SLACK = 5;

/** A port that was just listened on and closed, so that nothing listens there. */
async function freePort(api: Api): Promise<number> {
  const server = await api.listen({ hostname: "127.0.0.1", port: 0 });
  const port = portOf(server.address);
  await within(2_000, "close", server.close());
  return port;
}

/** A free UDP port on 127.0.0.1, the same way. */
async function freeDatagramPort(api: Api): Promise<number> {
  const socket = await api.bind({ hostname: "127.0.0.1", port: 0 });
  const port = portOf(socket.localAddress);
  await within(2_000, "close", socket.close());
  return port;
}

/** Whether a connect to `port` on 127.0.0.1 is refused (nothing listens there). */
async function refused(api: Api, port: number): Promise<boolean> {
  const answer = await api.probe(`127.0.0.1:${port}`, { timeout: 1_000 });
  return !answer.ok && answer.code === "ECONNREFUSED";
}

/**
 * Fill a black hole's accept queue, so that the kernel drops every further SYN and a connect
 * can only wait (see errors.ts). The connections that got in are reset when the case ends.
 */
async function fillBlackHole(api: Api, hole: BlackHole): Promise<void> {
  for (let attempt = 0; attempt < 16; attempt++) {
    try {
      const filler = await api.connect(
        { hostname: hole.hostname, port: hole.port },
        { timeout: 250 },
      );
      defer(() => filler.reset());
    } catch (error) {
      if (error instanceof SocketError && error.code === "ETIMEDOUT") return;
      throw error;
    }
  }
  throw new Error("the black hole kept accepting connections");
}

/** Resolves once `read()` has not changed for `quiet` ms; fails after `ms`. */
async function steady(ms: number, what: string, read: () => number, quiet = 150): Promise<number> {
  const started = performance.now();
  let value = read();
  let since = performance.now();
  while (performance.now() - since < quiet) {
    if (performance.now() - started > ms) throw new Error(`${what}: still changing after ${ms} ms`);
    await sleep(10);
    const now = read();
    if (now !== value) {
      value = now;
      since = performance.now();
    }
  }
  return value;
}

/** FNV-1a over a byte stream, fed chunk by chunk: the same bytes in the same order, the same sum. */
class Checksum {
  value = 0x811c9dc5;
  update(data: Uint8Array): void {
    let hash = this.value;
    for (let index = 0; index < data.length; index++)
      hash = Math.imul(hash ^ data[index]!, 0x01000193);
    this.value = hash >>> 0;
  }
}

/** The system's open file descriptors and the monitor's live sockets, to compare later. */
function census(api: Api, context: ConformanceContext) {
  const fds = context.openFileDescriptors;
  const before = { fds: fds?.(), sockets: api.monitor.sockets().length };
  return async (): Promise<void> => {
    await until(5_000, "the monitor's sockets back to where they were", () => {
      return api.monitor.sockets().length <= before.sockets;
    });
    if (fds && before.fds !== undefined) {
      const limit = before.fds + FD_SLACK;
      await until(5_000, `open file descriptors back to at most ${limit}`, () => fds() <= limit);
    }
  };
}

export function faultCases(api: Api, context: ConformanceContext): void {
  const { killablePeer, blackHole, openFileDescriptors } = context;
  const { reset, udp, unix } = api.capabilities;
  const fdNote = openFileDescriptors
    ? ""
    : " (the fd count is not checked: no openFileDescriptors)";

  describe("faults", () => {
    it.runIf(reset)(
      "RST while reading: for await throws ECONNRESET and closed rejects with it",
      async () => {
        const { server, accepted } = await acceptingServer(api);
        const client = await connectTo(api, server.address);
        const peer = await accepted();
        const total = 16 * MiB;
        peer.write(new Uint8Array(total).fill(5));
        let received = 0;
        const reading = (async () => {
          for await (const chunk of client) {
            received += chunk.byteLength;
            // Mid-transfer: most of the 16 MiB is still queued at the peer.
            if (received >= 256 * KiB && peer.state !== "closed") void peer.reset();
          }
        })();
        const error = await within(5_000, "reading", reading).then(
          () => new Error(`the loop ended cleanly after ${received} bytes`),
          (thrown: unknown) => thrown,
        );
        expect(error, String(error)).toBeInstanceOf(SocketError);
        expect((error as SocketError).code, String(error)).toBe("ECONNRESET");
        expect(received).toBeLessThan(total);
        await expectSocketError("ECONNRESET", () => within(2_000, "closed", client.closed));
        expect(client.state).toBe("closed");
      },
    );

    it.runIf(!reset)(
      "reset() while the peer reads (capabilities.reset false): a clean end, closed resolves",
      async () => {
        const { server, accepted } = await acceptingServer(api);
        const client = await connectTo(api, server.address);
        const peer = await accepted();
        const total = 16 * MiB;
        peer.write(new Uint8Array(total).fill(5));
        let received = 0;
        let wrong = 0;
        const reading = (async () => {
          for await (const chunk of client) {
            received += chunk.byteLength;
            for (const byte of chunk) if (byte !== 5) wrong++;
            if (received >= 256 * KiB && peer.state !== "closed") void peer.reset();
          }
        })();
        // No RST: the peer had nothing of ours unread, so its close is a FIN after what its
        // kernel had taken; the queue it discarded never arrives.
        await within(5_000, "reading to the end", reading);
        expect(wrong).toBe(0);
        expect(received).toBeLessThan(total);
        await within(2_000, "closed", client.closed);
        expect(client.state).toBe("closed");
      },
    );

    it("RST while a 16 MiB queue is written: flush() and closed reject with ECONNRESET, bytesSent stops", async () => {
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address);
      const peer = await accepted();
      // The peer never reads: what the kernel takes stays unread in its buffer.
      const chunk = new Uint8Array(MiB).fill(9);
      const total = 16 * chunk.byteLength;
      for (let index = 0; index < 16; index++) client.write(chunk); // past false, on purpose
      const flushed = client.flush();
      flushed.catch(() => {});
      const stalledAt = await steady(5_000, "bytesSent", () => client.stats.bytesSent);
      expect(
        client.writableLength,
        "a queue is left to write when the peer resets",
      ).toBeGreaterThan(0);
      // With bytes of ours unread, the peer's kernel answers any close with RST, whether or
      // not its runtime can ask for one (capabilities.reset): ECONNRESET on every runtime.
      void peer.reset();
      await expectSocketError("ECONNRESET", () => within(5_000, "flush", flushed));
      await expectSocketError("ECONNRESET", () => within(2_000, "closed", client.closed));
      expect(client.writableLength).toBe(0);
      const sent = client.stats.bytesSent;
      // Counted as sent: what the kernel took before the reset, never the queue it cut off.
      expect(sent).toBeLessThan(total);
      expect(sent).toBeLessThanOrEqual(stalledAt + chunk.byteLength);
      await sleep(100);
      expect(client.stats.bytesSent).toBe(sent);
    });

    it.runIf(killablePeer !== undefined)(
      "a reading peer process killed (SIGKILL) mid-transfer: flush() and closed reject with ECONNRESET",
      async () => {
        const peer = await killablePeer!("slow-sink");
        defer(() => peer.kill());
        const client = await connectTo(api, { hostname: peer.hostname, port: peer.port });
        const chunk = new Uint8Array(256 * KiB).fill(7);
        const writing = (async () => {
          // At most 64 MiB; the peer dies long before.
          for (let round = 0; round < 256; round++) {
            if (!client.write(chunk)) await client.flush();
          }
          await client.flush();
        })();
        writing.catch(() => {});
        await until(5_000, "the transfer under way", () => client.stats.bytesSent >= 2 * MiB);
        // Our bytes wait unread in the dead process's buffer: its kernel answers with RST.
        await within(5_000, "killing the peer", peer.kill());
        await expectSocketError("ECONNRESET", () => within(5_000, "the writer", writing));
        await expectSocketError("ECONNRESET", () => within(2_000, "closed", client.closed));
        const sent = client.stats.bytesSent;
        await sleep(100);
        expect(client.stats.bytesSent).toBe(sent);
        expect(client.state).toBe("closed");
      },
    );

    it.runIf(killablePeer !== undefined)(
      "a writing peer process killed (SIGKILL) mid-transfer: it had nothing unread, so a FIN — the loop ends cleanly, data intact",
      async () => {
        const peer = await killablePeer!("source");
        defer(() => peer.kill());
        const client = await connectTo(api, { hostname: peer.hostname, port: peer.port });
        let offset = 0;
        let firstWrong = -1;
        let killed: Promise<void> | undefined;
        const reading = (async () => {
          for await (const chunk of client) {
            for (let index = 0; index < chunk.length && firstWrong < 0; index++) {
              if (chunk[index] !== sourceByte(offset + index)) firstWrong = offset + index;
            }
            offset += chunk.byteLength;
            if (offset >= MiB) killed ??= peer.kill();
          }
        })();
        // The kernel sends what the dead process had handed it, then a FIN: not an error.
        await within(5_000, "reading to the end", reading);
        await within(5_000, "killing the peer", killed ?? Promise.resolve());
        expect(killed, "the peer was killed while we read").toBeDefined();
        expect(firstWrong, `byte ${firstWrong} is not the peer's`).toBe(-1);
        expect(offset).toBeGreaterThanOrEqual(MiB);
        await within(2_000, "closed", client.closed);
        expect(client.state).toBe("closed");
      },
    );

    it.runIf(blackHole !== undefined)(
      "abort during a connect that hangs (a black hole): EABORTED at once, nothing left open",
      async () => {
        const hole = await blackHole!();
        defer(() => hole.close());
        await fillBlackHole(api, hole);
        const check = census(api, context);
        const controller = new AbortController();
        const connecting = api.connect(
          { hostname: hole.hostname, port: hole.port },
          { signal: controller.signal },
        );
        connecting.catch(() => {});
        expect(await settlesWithin(100, connecting)).toBe(false);
        const started = performance.now();
        controller.abort();
        await expectSocketError("EABORTED", () => within(1_000, "connect", connecting));
        expect(performance.now() - started).toBeLessThan(500);
        await check();
      },
    );

    it("abort during listen: EABORTED, and nothing listens on the port", async () => {
      const port = await freePort(api);
      const check = census(api, context);
      const controller = new AbortController();
      const listening = api.listen({ hostname: "127.0.0.1", port, signal: controller.signal });
      queueMicrotask(() => controller.abort());
      await expectSocketError("EABORTED", () => within(2_000, "listen", listening));
      await check();
      expect(api.monitor.sockets().filter((entry) => entry.kind === "server")).toEqual([]);
      await eventually(2_000, `a connect to port ${port} is refused`, () => refused(api, port));
      // The port is free again.
      const again = await listenLocal(api, undefined, { port });
      expect(portOf(again.address)).toBe(port);
    });

    it.runIf(udp)("abort during bind: EABORTED, and the datagram socket is not open", async () => {
      const port = await freeDatagramPort(api);
      const check = census(api, context);
      const controller = new AbortController();
      const binding = api.bind({ hostname: "127.0.0.1", port, signal: controller.signal });
      queueMicrotask(() => controller.abort());
      await expectSocketError("EABORTED", () => within(2_000, "bind", binding));
      await check();
      expect(api.monitor.sockets().filter((entry) => entry.kind === "datagram")).toEqual([]);
      // The port is free again (the socket the bind opened after the abort is closed as it
      // arrives, which may take the runtime a moment).
      await eventually(2_000, `binding port ${port} again`, async () => {
        try {
          const again = await api.bind({ hostname: "127.0.0.1", port });
          await again.close();
          return true;
        } catch (error) {
          if (error instanceof SocketError && error.code === "EADDRINUSE") return false;
          throw error;
        }
      });
    });

    it("readable: cancel with a read pending, then for await gets the next chunk", async () => {
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address);
      const peer = await accepted();
      const reader = client.readable.getReader();
      const pending = reader.read();
      pending.catch(() => {});
      expect(await settlesWithin(50, pending)).toBe(false);
      await within(2_000, "cancel", reader.cancel());
      expect(await within(2_000, "the pending read", pending)).toEqual({
        done: true,
        value: undefined,
      });
      expect(client.state).toBe("open");
      peer.write("next");
      const chunks = new ByteReader(client);
      expect(await chunks.readText(4, 2_000)).toBe("next");
      peer.write("more");
      expect(await chunks.readText(4, 2_000)).toBe("more");
    });

    it("readable: releaseLock() with a read pending, then for await gets the next chunk, nothing lost", async () => {
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address);
      const peer = await accepted();
      const reader = client.readable.getReader();
      const pending = reader.read();
      pending.catch(() => {});
      expect(await settlesWithin(50, pending)).toBe(false);
      // Current web streams reject the pending read of a released reader with a TypeError
      // (WHATWG Streams: ReadableStreamDefaultReaderRelease).
      reader.releaseLock();
      await expect(within(2_000, "the pending read", pending)).rejects.toBeInstanceOf(TypeError);
      peer.write("next");
      const chunks = new ByteReader(client);
      expect(await chunks.readText(4, 2_000)).toBe("next");
      peer.write("more");
      expect(await chunks.readText(4, 2_000)).toBe("more");
      expect(client.stats.bytesReceived).toBe(8);
    });

    it("a server paused and closed (gracefully) in its connection handler: that connection stays usable", async () => {
      const handed = deferred<Socket>();
      let closing: Promise<void> | undefined;
      const server = await listenLocal(api, (socket) => {
        server.pause();
        closing = server.close();
        closing.catch(() => {});
        handed.resolve(socket);
        return echo(socket);
      });
      const client = await connectTo(api, server.address);
      const peer = await within(2_000, "the connection", handed.promise);
      const reader = new ByteReader(client);
      for (const word of ["one", "two", "three"]) {
        client.write(word);
        expect(await reader.readText(word.length, 2_000)).toBe(word);
        await sleep(30);
      }
      expect(peer.state).toBe("open");
      expect(server.connections.size).toBe(1);
      expect(await settlesWithin(100, server.closed)).toBe(false);
      await eventually(2_000, "new connections are refused", () =>
        refused(api, portOf(server.address)),
      );
      await within(2_000, "client close", client.close());
      await within(2_000, "server.closed", server.closed);
      await within(2_000, "server.close()", closing ?? Promise.resolve());
      expect(peer.state).toBe("closed");
    });

    it("graceful server close during 4 MiB transfers: they finish intact, then server.closed resolves", async () => {
      const payload = pseudoRandomBytes(4 * MiB, 0x5eed);
      const digest = await sha256(payload);
      const finished: Promise<void>[] = [];
      const server = await listenLocal(api, (socket) => {
        const serving = (async () => {
          for (let at = 0; at < payload.byteLength; at += 256 * KiB) {
            if (!socket.write(payload.subarray(at, at + 256 * KiB))) await socket.flush();
          }
          // The connection ends when the client is done with it.
          for await (const _ of socket);
          await socket.close();
        })();
        finished.push(serving);
        return serving;
      });
      const clients = [await connectTo(api, server.address), await connectTo(api, server.address)];
      const readers = clients.map((client) => new ByteReader(client));
      const heads = await Promise.all(readers.map((reader) => reader.read(64 * KiB, 2_000)));
      const closing = server.close();
      closing.catch(() => {});
      await eventually(2_000, "new connections are refused", () =>
        refused(api, portOf(server.address)),
      );
      // Read slowly: the transfers are still in flight after the close.
      await sleep(50);
      for (const [index, reader] of readers.entries()) {
        const rest = await reader.read(payload.byteLength - 64 * KiB, 5_000);
        const whole = new Uint8Array(payload.byteLength);
        whole.set(heads[index]!);
        whole.set(rest, 64 * KiB);
        expect(await sha256(whole)).toBe(digest);
      }
      // Both connections are open until their clients end them: the server waits.
      expect(server.connections.size).toBe(2);
      expect(await settlesWithin(100, server.closed)).toBe(false);
      await within(2_000, "first client", clients[0]!.close());
      expect(await settlesWithin(100, server.closed)).toBe(false);
      await within(2_000, "second client", clients[1]!.close());
      await within(2_000, "server.closed", server.closed);
      await within(2_000, "server.close()", closing);
      await within(2_000, "the handlers", Promise.all(finished));
      expect(server.connections.size).toBe(0);
    });

    it("forced server close during transfers: they end at once, the clients see the end or ECONNRESET, server.closed resolves", async () => {
      const chunk = new Uint8Array(256 * KiB).fill(4);
      const handlers: Promise<unknown>[] = [];
      const server = await listenLocal(api, (socket) => {
        // At most 64 MiB each: the close comes long before.
        const serving = (async () => {
          for (let round = 0; round < 256; round++) {
            if (!socket.write(chunk)) await socket.flush();
          }
        })();
        const settled = serving.catch(() => {});
        handlers.push(settled);
        return settled;
      });
      const clients = [await connectTo(api, server.address), await connectTo(api, server.address)];
      const received = clients.map(() => 0);
      const outcomes = clients.map(async (client, index) => {
        try {
          for await (const piece of client) received[index] = received[index]! + piece.byteLength;
          return "end";
        } catch (error) {
          return error instanceof SocketError ? error.code : String(error);
        }
      });
      await until(5_000, "both transfers under way", () =>
        received.every((count) => count >= 256 * KiB),
      );
      await within(2_000, "server.close({ graceful: false })", server.close({ graceful: false }));
      await within(2_000, "server.closed", server.closed);
      expect(server.connections.size).toBe(0);
      for (const outcome of await within(2_000, "the clients' reads", Promise.all(outcomes))) {
        expect(["end", "ECONNRESET"]).toContain(outcome);
      }
      for (const count of received) expect(count).toBeLessThan(64 * MiB);
      await within(2_000, "the handlers", Promise.all(handlers));
      await within(
        2_000,
        "the clients closed",
        Promise.all(clients.map((client) => client.closed.catch(() => {}))),
      );
    });

    it(`2,000 concurrent connections each echo a message; afterwards nothing is left open${fdNote}`, async () => {
      const check = census(api, context);
      const count = 2_000;
      // Bun takes no backlog (capabilities.backlog): a SYN dropped on a full queue is retried.
      const server = await echoServer(api, api.capabilities.backlog ? { backlog: count } : {});
      const clients: Socket[] = [];
      defer(() => Promise.all(clients.map((client) => client.reset())));
      await within(
        15_000,
        `${count} connections echoing`,
        Promise.all(
          Array.from({ length: count }, async (_, index) => {
            const client = await api.connect(server.address, { timeout: 10_000 });
            clients.push(client);
            const message = `message ${index}`;
            client.write(message);
            expect(await new ByteReader(client).readText(message.length, 10_000)).toBe(message);
          }),
        ),
      );
      // All of them at once.
      expect(server.connections.size).toBe(count);
      await within(10_000, "closing them", Promise.all(clients.map((client) => client.close())));
      await until(5_000, "the server's connections closed", () => server.connections.size === 0);
      await within(2_000, "server close", server.close());
      await check();
    });

    it(`10,000 short-lived connections, 50 at a time; afterwards nothing is left open${fdNote}`, async () => {
      const check = census(api, context);
      const server = await echoServer(api);
      const total = 10_000;
      const batch = 50;
      const message = bytes("ping");
      const started = performance.now();
      for (let done = 0; done < total; done += batch) {
        await within(
          5_000,
          `connections ${done} to ${done + batch}`,
          Promise.all(
            Array.from({ length: batch }, async () => {
              const client = await api.connect(server.address, { timeout: 5_000 });
              try {
                client.write(message);
                expect(await new ByteReader(client).readText(4, 5_000)).toBe("ping");
              } finally {
                await client.close();
              }
            }),
          ),
        );
        if (performance.now() - started > 25_000) throw new Error(`only ${done} in 25 s`);
      }
      expect(server.stats.accepted).toBe(total);
      await until(5_000, "the server's connections closed", () => server.connections.size === 0);
      await within(2_000, "server close", server.close());
      await check();
    });

    it("a slow reader against 100 MiB: the writer's queue stays within highWaterMark + one chunk, the data arrives intact", async () => {
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address);
      const peer = await accepted();
      const total = 100 * MiB;
      const size = 64 * KiB;
      const highWaterMark = 65_536;
      // A period that does not divide the chunk size, so that every chunk differs.
      const pattern = pseudoRandomBytes(MiB + 7, 0xfeed);
      const sent = new Checksum();
      let largestQueue = 0;
      const writing = (async () => {
        for (let offset = 0; offset < total; offset += size) {
          // A fresh array per write: a large one is queued without a copy until flushed.
          const chunk = new Uint8Array(size);
          const start = offset % pattern.byteLength;
          const first = pattern.subarray(start, start + size);
          chunk.set(first);
          if (first.byteLength < size)
            chunk.set(pattern.subarray(0, size - first.byteLength), first.byteLength);
          sent.update(chunk);
          const more = client.write(chunk);
          largestQueue = Math.max(largestQueue, client.writableLength);
          if (!more) await within(5_000, "flush", client.flush());
        }
        await within(5_000, "end", client.end());
      })();
      writing.catch(() => {});
      const received = new Checksum();
      let count = 0;
      let pauses = 0;
      const reading = (async () => {
        let sincePause = 0;
        for await (const chunk of peer) {
          received.update(chunk);
          count += chunk.byteLength;
          sincePause += chunk.byteLength;
          // Slow: a pause after every 2 MiB, 50 pauses in all.
          if (sincePause >= 2 * MiB) {
            sincePause = 0;
            pauses++;
            await sleep(2);
          }
        }
      })();
      await within(20_000, "the transfer", Promise.all([writing, reading]));
      expect(count).toBe(total);
      expect(received.value).toBe(sent.value);
      expect(pauses).toBeGreaterThanOrEqual(45);
      expect(largestQueue).toBeLessThanOrEqual(highWaterMark + size);
      expect(client.stats.bytesSent).toBe(total);
    });

    it.skipIf(!unix || context.tempDir === undefined)(
      "a Unix socket path of 108 bytes or more: listen and connect throw a RangeError naming it and the limit",
      async () => {
        const directory = context.tempDir!.replace(/\/+$/, "");
        const check = census(api, context);
        for (const length of [108, 200]) {
          const path = `${directory}/${"x".repeat(length - bytes(directory).byteLength - 1)}`;
          expect(bytes(path).byteLength).toBe(length);
          const attempts: (() => Promise<{ close(): Promise<void> }>)[] = [
            () => api.listen({ path }),
            () => api.connect({ path }),
            () => api.connect(`unix://${path}`),
          ];
          for (const attempt of attempts) {
            let error: unknown;
            try {
              // It should fail; if it opens something instead, close it before saying so.
              const opened = await within(2_000, "the call", Promise.resolve().then(attempt));
              await opened.close();
            } catch (thrown) {
              error = thrown;
            }
            expect(error, String(error)).toBeInstanceOf(RangeError);
            expect(String((error as Error).message)).toContain(path);
            expect(String((error as Error).message)).toMatch(/\b10[78]\b/);
          }
        }
        await check();
      },
    );

    it.skipIf(!unix || context.tempDir === undefined)(
      "a Unix socket path of 107 bytes (the most that fits) works",
      async () => {
        const directory = context.tempDir!.replace(/\/+$/, "");
        const name = `omnisock-${Date.now().toString(36)}-`;
        const length = 107;
        const fill = length - bytes(directory).byteLength - 1 - name.length - ".sock".length;
        if (fill < 0) throw new Error(`the temp dir ${directory} is too long for a 107-byte path`);
        const path = `${directory}/${name}${"x".repeat(fill)}.sock`;
        expect(bytes(path).byteLength).toBe(length);
        const server = await api.listen({ path }, echo);
        defer(() => server.close({ graceful: false }));
        expect(server.address).toEqual({ transport: "unix", path });
        const client = await connectTo(api, { path });
        client.write("fits");
        expect(await new ByteReader(client).readText(4, 2_000)).toBe("fits");
      },
    );
  });
}
