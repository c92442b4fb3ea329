// The monitor: every live socket, and lifecycle events even for a connection that lives a millisecond.
import type { MonitorEvent, Socket } from "@omnisock/core";
import { describe, expect, it } from "vitest";
import type { Api } from "../context.js";
import {
  ByteReader,
  acceptingServer,
  connectTo,
  defer,
  deferred,
  listenLocal,
  takeReports,
  until,
  within,
} from "../helpers.js";

function record(api: Api): MonitorEvent[] {
  const events: MonitorEvent[] = [];
  const unsubscribe = api.monitor.subscribe((event) => events.push(event));
  defer(unsubscribe);
  return events;
}

const typesOf = (events: MonitorEvent[], id: number) =>
  events.filter((event) => event.id === id).map((event) => event.type);

export function monitorCases(api: Api): void {
  describe("monitor", () => {
    it("sees a connection that is closed as soon as it opens: connect, accept, close", async () => {
      const events = record(api);
      const accepted = deferred<Socket>();
      const server = await listenLocal(api, (socket) => accepted.resolve(socket));
      const client = await api.connect(server.address, { timeout: 5_000 });
      await within(2_000, "close", client.close());
      const peer = await within(2_000, "accept", accepted.promise);
      await within(2_000, "peer closed", peer.closed);
      await until(
        2_000,
        "close events",
        () =>
          typesOf(events, client.id).includes("close") &&
          typesOf(events, peer.id).includes("close"),
      );
      expect(typesOf(events, server.id)).toEqual(["listen"]);
      expect(typesOf(events, client.id)).toEqual(["connect", "close"]);
      expect(typesOf(events, peer.id)).toEqual(["accept", "close"]);
      const connect = events.find((event) => event.id === client.id && event.type === "connect")!;
      expect(connect).toMatchObject({
        kind: "socket",
        localAddress: client.localAddress,
        remoteAddress: client.remoteAddress,
      });
      expect(typeof connect.time).toBe("number");
      const accept = events.find((event) => event.id === peer.id && event.type === "accept")!;
      expect(accept.remoteAddress).toEqual(client.localAddress);
    });

    it("reports send and receive with their byte counts", async () => {
      const events = record(api);
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address);
      const peer = await accepted();
      client.write("12345");
      await new ByteReader(peer).read(5);
      const sent = events.filter((event) => event.id === client.id && event.type === "send");
      const received = events.filter((event) => event.id === peer.id && event.type === "receive");
      expect(sent.reduce((sum, event) => sum + (event.bytes ?? 0), 0)).toBe(5);
      expect(received.reduce((sum, event) => sum + (event.bytes ?? 0), 0)).toBe(5);
    });

    it("reports the error that ended a socket, then its close", async () => {
      const events = record(api);
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address, { idleTimeout: 50 });
      await accepted();
      await within(
        2_000,
        "timeout",
        client.closed.catch(() => {}),
      );
      expect(typesOf(events, client.id)).toEqual(["connect", "error", "close"]);
      const error = events.find((event) => event.id === client.id && event.type === "error")!;
      expect(error.error?.code).toBe("ETIMEDOUT");
    });

    it("sockets() lists live sockets, servers and datagram sockets with their fields, and forgets them when closed", async () => {
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address);
      const peer = await accepted();
      const datagram = await api.bind({ hostname: "127.0.0.1", port: 0 });
      defer(() => datagram.close());
      client.write("abc");
      await new ByteReader(peer).read(3);
      const entries = api.monitor.sockets();
      const entry = (id: number) => entries.find((candidate) => candidate.id === id);
      expect(entry(client.id)).toMatchObject({
        kind: "socket",
        role: "client",
        transport: "tcp",
        localAddress: client.localAddress,
        remoteAddress: client.remoteAddress,
        state: "open",
        stats: { bytesSent: 3, packetsSent: 1 },
      });
      expect(entry(client.id)!.age).toBeGreaterThanOrEqual(0);
      expect(entry(peer.id)).toMatchObject({
        kind: "socket",
        role: "server",
        state: "open",
        stats: { bytesReceived: 3 },
      });
      expect(entry(server.id)).toMatchObject({
        kind: "server",
        role: "listener",
        transport: "tcp",
        localAddress: server.address,
        state: "listening",
      });
      expect(entry(datagram.id)).toMatchObject({
        kind: "datagram",
        role: "datagram",
        transport: "udp",
        localAddress: datagram.localAddress,
        state: "open",
      });

      await within(2_000, "close", client.close());
      // The peer has read, so its own read of the FIN would end it; it reads no more here.
      await within(2_000, "peer close", peer.close());
      await within(2_000, "datagram close", datagram.close());
      await within(2_000, "server close", server.close());
      const ids = new Set(api.monitor.sockets().map((candidate) => candidate.id));
      for (const id of [client.id, peer.id, server.id, datagram.id])
        expect(ids.has(id)).toBe(false);
    });

    it("unsubscribing stops the events", async () => {
      const events: MonitorEvent[] = [];
      const unsubscribe = api.monitor.subscribe((event) => events.push(event));
      unsubscribe();
      const server = await listenLocal(api);
      await connectTo(api, server.address);
      expect(events).toEqual([]);
    });

    it("a listener that throws does not break the socket that reported the event", async () => {
      const unsubscribe = api.monitor.subscribe(() => {
        throw new Error("monitor listener failure on purpose");
      });
      defer(unsubscribe);
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address);
      const peer = await accepted();
      client.write("fine");
      expect(await new ByteReader(peer).readText(4)).toBe("fine");
      unsubscribe();
      // Each failure went to the library's reporter.
      const reports = takeReports();
      expect(reports.length).toBeGreaterThan(0);
      for (const report of reports) expect(String(report[0])).toContain("monitor listener");
    });
  });
}
