// The listener: handing out connections, pausing, limits, broadcast and shutdown.
import type { Socket } from "@omnisock/core";
import { describe, expect, it } from "vitest";
import type { Api } from "../context.js";
import {
  ByteReader,
  acceptingServer,
  connectTo,
  defer,
  echo,
  expectSocketError,
  listenLocal,
  portOf,
  settlesWithin,
  takeReports,
  text,
  until,
  within,
} from "../helpers.js";

export function serverCases(api: Api): void {
  describe("server", () => {
    it("reports its address, connections and stats", async () => {
      const { server, accepted } = await acceptingServer(api);
      expect(server.address).toMatchObject({
        transport: "tcp",
        hostname: "127.0.0.1",
        family: "IPv4",
      });
      expect(portOf(server.address)).toBeGreaterThan(0);
      expect(server.listening).toBe(true);
      const client = await connectTo(api, server.address);
      const peer = await accepted();
      expect(server.connections.has(peer)).toBe(true);
      expect(server.connections.size).toBe(1);
      expect(server.stats).toMatchObject({ accepted: 1, refused: 0, closedAt: undefined });
      expect(peer.role).toBe("server");
      await within(2_000, "close", client.close());
      await within(2_000, "peer closed", peer.closed);
      await until(2_000, "connection forgotten", () => server.connections.size === 0);
    });

    it("for await (const socket of server) hands out connections, and ends when the server closes", async () => {
      const server = await api.listen({ hostname: "127.0.0.1", port: 0 });
      defer(() => server.close({ graceful: false }));
      const served: Socket[] = [];
      const loop = (async () => {
        for await (const socket of server) {
          served.push(socket);
          socket.write(`you are ${served.length}`);
          void socket.close();
        }
        return "ended";
      })();
      const answers: string[] = [];
      for (let index = 0; index < 3; index++) {
        const client = await connectTo(api, server.address);
        answers.push(text(await new ByteReader(client).readToEnd()));
      }
      expect(answers).toEqual(["you are 1", "you are 2", "you are 3"]);
      await within(2_000, "close", server.close());
      expect(await within(2_000, "the loop", loop)).toBe("ended");
    });

    it("pause() holds new connections until resume()", async () => {
      const server = await api.listen({ hostname: "127.0.0.1", port: 0 });
      defer(() => server.close({ graceful: false }));
      const connections = server[Symbol.asyncIterator]();
      server.pause();
      // The connect itself may complete (the kernel's queue, or a driver that holds it);
      // what must not happen is the server handing it out.
      const client = await connectTo(api, server.address);
      client.write("sent while paused");
      const next = connections.next();
      expect(await settlesWithin(300, next)).toBe(false);
      server.resume();
      const { value: peer, done } = await within(2_000, "the held connection", next);
      expect(done).toBe(false);
      expect(await new ByteReader(peer!).readText(17)).toBe("sent while paused");
    });

    it("maxConnections: the connection over the limit is closed at once; the others carry on", async () => {
      const { server, accepted } = await acceptingServer(api, { maxConnections: 1 });
      expect(server.maxConnections).toBe(1);
      const first = await connectTo(api, server.address);
      const firstPeer = await accepted();
      const extra = await connectTo(api, server.address);
      // The extra one sees the end of the stream, or a reset, and nothing else.
      try {
        expect((await new ByteReader(extra).readToEnd(2_000)).byteLength).toBe(0);
      } catch (error) {
        expect((error as { code?: string }).code).toBe("ECONNRESET");
      }
      await until(2_000, "refused counted", () => server.stats.refused === 1);
      expect(server.connections.size).toBe(1);
      first.write("still served");
      expect(await new ByteReader(firstPeer).readText(12)).toBe("still served");
    });

    it("broadcast() writes to every connection but the excluded, and says how many", async () => {
      const { server, accepted } = await acceptingServer(api);
      const clients: Socket[] = [];
      const peers: Socket[] = [];
      for (let index = 0; index < 3; index++) {
        clients.push(await connectTo(api, server.address));
        peers.push(await accepted());
      }
      const readers = clients.map((client) => new ByteReader(client));
      expect(server.broadcast("hi", { except: peers[0] })).toBe(2);
      expect(await readers[1]!.readText(2)).toBe("hi");
      expect(await readers[2]!.readText(2)).toBe("hi");
      expect(await readers[0]!.silentFor(200)).toBe(true);
      expect(
        server.broadcast(new Uint8Array([98, 121, 101]), { except: [peers[1]!, peers[2]!] }),
      ).toBe(1);
      expect(server.broadcast("!")).toBe(3);
      // What the excluded socket gets first is what came after: "hi" never reached it.
      expect(await readers[0]!.readText(4)).toBe("bye!");
      expect(await readers[1]!.readText(1)).toBe("!");
    });

    it("graceful close: stops listening at once, settles only when the last connection is over", async () => {
      const server = await listenLocal(api, echo);
      const port = portOf(server.address);
      const client = await connectTo(api, server.address);
      const reader = new ByteReader(client);
      client.write("before");
      expect(await reader.readText(6)).toBe("before");
      const closing = server.close();
      expect(server.listening).toBe(false);
      expect(await settlesWithin(300, closing)).toBe(false);
      // New connections are refused; the open one still works.
      await expectSocketError("ECONNREFUSED", () => api.connect(`127.0.0.1:${port}`));
      client.write("during");
      expect(await reader.readText(6)).toBe("during");
      await within(2_000, "client close", client.close());
      await within(2_000, "graceful close", closing);
      await within(2_000, "closed", server.closed);
      expect(server.stats.closedAt).toBeGreaterThanOrEqual(server.stats.openedAt);
    });

    it("forced close ({ graceful: false }) closes the open connections at once", async () => {
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address);
      const peer = await accepted();
      await within(2_000, "forced close", server.close({ graceful: false }));
      expect(peer.state).toBe("closed");
      try {
        expect((await new ByteReader(client).readToEnd(2_000)).byteLength).toBe(0);
      } catch (error) {
        expect((error as { code?: string }).code).toBe("ECONNRESET");
      }
      await within(
        2_000,
        "client closed",
        client.closed.catch(() => {}),
      );
      expect(server.connections.size).toBe(0);
    });

    it("listen({ signal }): aborting closes the server and its connections", async () => {
      const controller = new AbortController();
      const { server, accepted } = await acceptingServer(api, { signal: controller.signal });
      const client = await connectTo(api, server.address);
      await accepted();
      controller.abort();
      await within(2_000, "server closed", server.closed);
      expect(server.listening).toBe(false);
      await within(
        2_000,
        "client closed",
        client.closed.catch(() => {}),
      );
    });

    it("a connection handler that throws does not take the server down", async () => {
      let calls = 0;
      const server = await listenLocal(api, (socket) => {
        calls++;
        if (calls === 1) throw new Error("handler failure on purpose");
        return echo(socket);
      });
      const first = await connectTo(api, server.address);
      await until(2_000, "the handler ran", () => calls === 1);
      const second = await connectTo(api, server.address);
      second.write("ok");
      expect(await new ByteReader(second).readText(2)).toBe("ok");
      // The failure went to the library's one reporter, not into an unhandled exception.
      const reports = takeReports();
      expect(reports.length).toBe(1);
      expect(String(reports[0]![0])).toContain("connection handler");
      expect(first.state).not.toBe("connecting");
    });
  });
}
