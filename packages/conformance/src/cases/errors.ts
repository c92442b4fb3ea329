// Network failures: every one a SocketError with the same stable code on every runtime.
import { SocketError } from "@omnisock/core";
import { describe, expect, it } from "vitest";
import type { Api, ConformanceContext } from "../context.js";
import {
  ByteReader,
  acceptingServer,
  connectTo,
  defer,
  echoServer,
  expectSocketError,
  listenLocal,
  portOf,
  sleep,
  within,
} from "../helpers.js";

/** A port that was just listened on and closed, so that nothing listens there. */
async function closedPort(api: Api): Promise<number> {
  const server = await api.listen({ hostname: "127.0.0.1", port: 0 });
  const port = portOf(server.address);
  await within(2_000, "close", server.close());
  return port;
}

export function errorCases(api: Api, context: ConformanceContext): void {
  const { blackHole } = context;

  describe("errors", () => {
    it.skipIf(!api.capabilities.reset)(
      "reset(): the peer's read fails with ECONNRESET",
      async () => {
        const { server, accepted } = await acceptingServer(api);
        const client = await connectTo(api, server.address);
        const peer = await accepted();
        const reading = new ByteReader(peer).readToEnd();
        reading.catch(() => {});
        await within(2_000, "reset", client.reset());
        expect(client.state).toBe("closed");
        await expectSocketError("ECONNRESET", () => reading);
        await expectSocketError("ECONNRESET", () => peer.closed);
        expect(peer.state).toBe("closed");
        // The side that reset it closed on purpose: no error there.
        await expect(client.closed).resolves.toBeUndefined();
      },
    );

    it.runIf(!api.capabilities.reset)(
      "reset() without RST (capabilities.reset false): the peer sees a clean end",
      async () => {
        const { server, accepted } = await acceptingServer(api);
        const client = await connectTo(api, server.address);
        const peer = await accepted();
        await within(2_000, "reset", client.reset());
        expect((await new ByteReader(peer).readToEnd()).byteLength).toBe(0);
        expect(client.state).toBe("closed");
      },
    );

    it("reset() discards what is queued and closes at once", async () => {
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address, { highWaterMark: 1024 });
      await accepted();
      client.write(new Uint8Array(64 * 1024));
      await within(2_000, "reset", client.reset());
      expect(client.state).toBe("closed");
      expect(client.writableLength).toBe(0);
    });

    it("reset() right after end() still closes at once", async () => {
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address);
      const peer = await accepted();
      await within(2_000, "end", client.end());
      // The FIN may still be on its way: the reset must close the socket all the same.
      await within(2_000, "reset", client.reset());
      expect(client.state).toBe("closed");
      await within(
        2_000,
        "peer closed",
        peer.closed.catch(() => {}),
      );
    });

    it("connect to a port nobody listens on: ECONNREFUSED, with syscall and address", async () => {
      const port = await closedPort(api);
      const error = await expectSocketError("ECONNREFUSED", () => api.connect(`127.0.0.1:${port}`));
      expect(error.syscall).toBe("connect");
      expect(error.address).toMatchObject({ transport: "tcp", hostname: "127.0.0.1", port });
      expect(error.message).toContain(String(port));
      expect(error.cause).toBeDefined();
      expect(error.name).toBe("SocketError");
      expect(error).toBeInstanceOf(Error);
    });

    it("listen on a busy port: EADDRINUSE", async () => {
      const server = await listenLocal(api);
      const port = portOf(server.address);
      const error = await expectSocketError("EADDRINUSE", () =>
        api.listen({ hostname: "127.0.0.1", port }),
      );
      expect(error.message).toContain(String(port));
    });

    it("bind UDP to a busy port: EADDRINUSE", async () => {
      const first = await api.bind({ hostname: "127.0.0.1", port: 0 });
      defer(() => first.close());
      await expectSocketError("EADDRINUSE", () =>
        api.bind({ hostname: "127.0.0.1", port: portOf(first.localAddress) }),
      );
    });

    it("connect to a name that does not resolve (.invalid): ENOTFOUND", async () => {
      const error = await expectSocketError("ENOTFOUND", () =>
        api.connect("no-such-host.invalid:80", { timeout: 10_000 }),
      );
      expect(error.message).toContain("no-such-host.invalid");
    });

    it("abort during connect: EABORTED, and nothing is left open", async () => {
      const { server, accepted } = await acceptingServer(api);
      const controller = new AbortController();
      const connecting = api.connect(server.address, { signal: controller.signal });
      controller.abort();
      await expectSocketError("EABORTED", () => connecting);
      // A connection the kernel completed anyway is closed, not leaked: the server sees it end.
      const late = await accepted(300).catch(() => undefined);
      if (late) expect((await new ByteReader(late).readToEnd(2_000)).byteLength).toBe(0);
    });

    it("connect with an already-aborted signal: EABORTED before any I/O", async () => {
      const { server, accepted } = await acceptingServer(api);
      await expectSocketError("EABORTED", () =>
        api.connect(server.address, { signal: AbortSignal.abort() }),
      );
      await expect(accepted(200)).rejects.toThrow(/no answer/);
      expect(server.stats.accepted).toBe(0);
    });

    it("abort after connect closes the socket with EABORTED", async () => {
      const server = await echoServer(api);
      const controller = new AbortController();
      const client = await connectTo(api, server.address, { signal: controller.signal });
      const reading = new ByteReader(client).readToEnd();
      reading.catch(() => {});
      controller.abort();
      await expectSocketError("EABORTED", () => reading);
      await expectSocketError("EABORTED", () => client.closed);
      expect(client.state).toBe("closed");
    });

    it.runIf(blackHole !== undefined)(
      "connect timeout against a listener that never accepts: ETIMEDOUT",
      async () => {
        const hole = await blackHole!();
        defer(() => hole.close());
        const target = { hostname: hole.hostname, port: hole.port };
        // Fill the listener's accept queue: connects succeed until it is full; after that the
        // kernel drops the SYN and only the timeout can end a connect.
        let firstTimeout: unknown;
        for (let attempt = 0; attempt < 16 && firstTimeout === undefined; attempt++) {
          try {
            // The connect timeout bounds this wait.
            const filler = await api.connect(target, { timeout: 250 });
            defer(() => filler.reset());
          } catch (error) {
            firstTimeout = error;
          }
        }
        expect(firstTimeout).toBeInstanceOf(SocketError);
        expect((firstTimeout as SocketError).code).toBe("ETIMEDOUT");
        const started = performance.now();
        const error = await expectSocketError("ETIMEDOUT", () =>
          api.connect(target, { timeout: 300 }),
        );
        const elapsed = performance.now() - started;
        expect(elapsed).toBeGreaterThanOrEqual(250);
        expect(elapsed).toBeLessThan(3_000);
        expect(error.syscall).toBe("connect");
      },
    );

    it("idleTimeout: no byte either way for that long closes the socket with ETIMEDOUT", async () => {
      const { server, accepted } = await acceptingServer(api);
      const started = performance.now();
      const client = await connectTo(api, server.address, { idleTimeout: 150 });
      const peer = await accepted();
      await expectSocketError("ETIMEDOUT", () => new ByteReader(client).readToEnd(5_000));
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(140);
      expect(elapsed).toBeLessThan(3_000);
      await expectSocketError("ETIMEDOUT", () => client.closed);
      // The peer sees the connection end.
      await within(
        2_000,
        "peer closed",
        peer.closed.catch(() => {}),
      );
    });

    it("setTimeout(ms) after connect: ETIMEDOUT the same way; setTimeout(0) turns it off", async () => {
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address);
      await accepted();
      expect(client.setTimeout(100)).toBe(client);
      client.setTimeout(0);
      await sleep(250);
      expect(client.state).toBe("open");
      const started = performance.now();
      client.setTimeout(150);
      await expectSocketError("ETIMEDOUT", () => new ByteReader(client).readToEnd(5_000));
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    });

    it("activity postpones the idle timeout", async () => {
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address, { idleTimeout: 300 });
      const peer = await accepted();
      const reader = new ByteReader(client);
      const started = performance.now();
      // A byte every 100 ms for 700 ms: never 300 ms of silence.
      for (let tick = 0; tick < 7; tick++) {
        peer.write(String(tick));
        expect(await reader.readText(1, 2_000)).toBe(String(tick));
        await sleep(100);
      }
      expect(client.state).toBe("open");
      expect(performance.now() - started).toBeGreaterThanOrEqual(650);
      await expectSocketError("ETIMEDOUT", () => reader.readToEnd(5_000));
    });
  });
}
