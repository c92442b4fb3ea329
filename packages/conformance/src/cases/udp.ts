// UDP: datagrams, connected sockets, broadcast, multicast, size limits, the receive queue.
import { type Datagram, type DatagramSocket, SocketError } from "@omnisock/core";
import { describe, expect, it } from "vitest";
import type { Api } from "../context.js";
import {
  defer,
  expectSocketError,
  failure,
  settlesWithin,
  text,
  until,
  within,
} from "../helpers.js";

async function bindLocal(api: Api, options: Record<string, unknown> = {}): Promise<DatagramSocket> {
  const socket = await api.bind({ hostname: "127.0.0.1", port: 0, ...options });
  defer(() => socket.close());
  return socket;
}

/** Reads datagrams one at a time, each wait bounded; a read that timed out stays in flight. */
class DatagramReader {
  readonly #iterator: AsyncIterator<Datagram>;
  #inflight: Promise<IteratorResult<Datagram>> | undefined;

  constructor(socket: DatagramSocket) {
    this.#iterator = socket[Symbol.asyncIterator]();
  }

  async next(ms = 2_000): Promise<Datagram | undefined> {
    this.#inflight ??= this.#iterator.next();
    const result = await within(ms, "receiving a datagram", this.#inflight);
    this.#inflight = undefined;
    return result.done ? undefined : result.value;
  }

  async silentFor(ms: number): Promise<boolean> {
    this.#inflight ??= this.#iterator.next();
    return !(await settlesWithin(ms, this.#inflight));
  }
}

export function udpCases(api: Api): void {
  const { udp, udpConnect, broadcast, multicast, multicastSource, multicastOptions } =
    api.capabilities;

  describe.skipIf(!udp)("udp", () => {
    it("round trip: a datagram there, one back; sender's address and counters exact", async () => {
      const a = await bindLocal(api);
      const b = await bindLocal(api);
      expect(a.localAddress).toMatchObject({
        transport: "udp",
        hostname: "127.0.0.1",
        family: "IPv4",
      });
      const bReader = new DatagramReader(b);
      await within(2_000, "send", a.send("ping", b.localAddress));
      const ping = await bReader.next();
      expect(text(ping!.data)).toBe("ping");
      expect(ping!.remote).toEqual(a.localAddress);
      await within(2_000, "send", b.send(new Uint8Array([112, 111, 110, 103]), ping!.remote));
      const pong = await new DatagramReader(a).next();
      expect(text(pong!.data)).toBe("pong");
      expect(pong!.remote).toEqual(b.localAddress);
      for (const socket of [a, b]) {
        expect(socket.stats).toMatchObject({
          bytesSent: 4,
          bytesReceived: 4,
          packetsSent: 1,
          packetsReceived: 1,
          packetsDropped: 0,
        });
      }
      await within(2_000, "close", a.close());
      expect(a.state).toBe("closed");
      expect(a.stats.closedAt).toBeGreaterThanOrEqual(a.stats.openedAt);
      // Addresses stay readable after close.
      expect(a.localAddress).toEqual(ping!.remote);
    });

    it("sends to targets written as strings: host:port and udp://host:port", async () => {
      const a = await bindLocal(api);
      const b = await bindLocal(api);
      const reader = new DatagramReader(b);
      const { port } = b.localAddress;
      await within(2_000, "send", a.send("one", `127.0.0.1:${port}`));
      await within(2_000, "send", a.send("two", `udp://127.0.0.1:${port}`));
      expect(text((await reader.next())!.data)).toBe("one");
      expect(text((await reader.next())!.data)).toBe("two");
    });

    it("keeps datagram boundaries: three sends are three datagrams", async () => {
      const a = await bindLocal(api);
      const b = await bindLocal(api);
      const reader = new DatagramReader(b);
      for (const message of ["a", "bb", "ccc"])
        await within(2_000, "send", a.send(message, b.localAddress));
      const got = [];
      for (let index = 0; index < 3; index++) got.push(text((await reader.next())!.data));
      expect(got).toEqual(["a", "bb", "ccc"]);
      expect(b.stats).toMatchObject({ packetsReceived: 3, bytesReceived: 6 });
    });

    it.skipIf(!udpConnect)(
      "connected UDP: send() without a target, and only the peer's datagrams arrive",
      async () => {
        const a = await bindLocal(api);
        const b = await bindLocal(api);
        const stranger = await bindLocal(api);
        await within(2_000, "connect", a.connect(b.localAddress));
        expect(a.remoteAddress).toEqual(b.localAddress);
        await within(2_000, "send", a.send("no target needed"));
        const bReader = new DatagramReader(b);
        expect(text((await bReader.next())!.data)).toBe("no target needed");
        const aReader = new DatagramReader(a);
        await within(2_000, "send", stranger.send("from a stranger", a.localAddress));
        await within(2_000, "send", b.send("from the peer", a.localAddress));
        // Only the peer's datagram arrives; the stranger's is filtered out.
        expect(text((await aReader.next())!.data)).toBe("from the peer");
        expect(await aReader.silentFor(150)).toBe(true);
        await expect(a.send("x", b.localAddress)).rejects.toThrow(TypeError);
      },
    );

    it.skipIf(!broadcast)(
      "broadcast: refused (EACCES) until setBroadcast(true), then delivered to 127.255.255.255",
      async () => {
        // Bound to the loopback's broadcast address, not to every interface: it receives only
        // what is broadcast there. Linux routes 127.255.255.255 to `lo`.
        const receiver = await api.bind({ hostname: "127.255.255.255", port: 0 });
        defer(() => receiver.close());
        const sender = await bindLocal(api);
        const target = { hostname: "127.255.255.255", port: receiver.localAddress.port };
        await expectSocketError("EACCES", () => sender.send("without the flag", target));
        sender.setBroadcast(true);
        await within(2_000, "broadcast send", sender.send("to everyone", target));
        const datagram = await new DatagramReader(receiver).next();
        expect(text(datagram!.data)).toBe("to everyone");
        expect(datagram!.remote).toEqual(sender.localAddress);
      },
    );

    it.skipIf(!broadcast)("bind({ broadcast: true }) sets the flag from the start", async () => {
      const receiver = await api.bind({ hostname: "127.255.255.255", port: 0 });
      defer(() => receiver.close());
      const sender = await bindLocal(api, { broadcast: true });
      await within(
        2_000,
        "send",
        sender.send("flag from bind", {
          hostname: "127.255.255.255",
          port: receiver.localAddress.port,
        }),
      );
      expect(text((await new DatagramReader(receiver).next())!.data)).toBe("flag from bind");
    });

    it.skipIf(!multicast || !multicastOptions)(
      "multicast on the loopback interface: join, send to the group, receive",
      async () => {
        const group = "239.255.42.99";
        // Bound to the group's address, so that only the group's datagrams arrive.
        const receiver = await api.bind({ hostname: group, port: 0 });
        defer(() => receiver.close());
        await within(
          2_000,
          "membership",
          receiver.joinMulticast(group, { interface: "127.0.0.1" }),
        );
        const sender = await bindLocal(api);
        sender.setMulticastInterface("127.0.0.1");
        sender.setMulticastLoopback(true);
        sender.setMulticastTTL(1);
        await within(
          2_000,
          "send",
          sender.send("to the group", { hostname: group, port: receiver.localAddress.port }),
        );
        const datagram = await new DatagramReader(receiver).next();
        expect(text(datagram!.data)).toBe("to the group");
        expect(datagram!.remote.port).toBe(sender.localAddress.port);
        await within(
          2_000,
          "membership",
          receiver.leaveMulticast(group, { interface: "127.0.0.1" }),
        );
      },
    );

    it.skipIf(!multicast || !udpConnect)(
      "a multicast group joined before connect() is still joined after it: leaving succeeds",
      async () => {
        // Leaving a group the socket is not in fails (EADDRNOTAVAIL): Bun makes a new socket
        // to connect, and that one must have joined too.
        const group = "239.255.42.98";
        const socket = await bindLocal(api);
        const peer = await bindLocal(api);
        const options = { interface: "127.0.0.1" };
        await within(2_000, "membership", socket.joinMulticast(group, options));
        await within(2_000, "connect", socket.connect(peer.localAddress));
        await within(2_000, "membership", socket.leaveMulticast(group, options));
      },
    );

    it.skipIf(!multicastSource || !multicastOptions)(
      "source-specific multicast: join (group, source) on loopback and receive",
      async () => {
        const group = "232.1.42.99";
        const receiver = await api.bind({ hostname: group, port: 0 });
        defer(() => receiver.close());
        await within(
          2_000,
          "membership",
          receiver.joinMulticast(group, { interface: "127.0.0.1", source: "127.0.0.1" }),
        );
        const sender = await bindLocal(api);
        sender.setMulticastInterface("127.0.0.1");
        await within(
          2_000,
          "send",
          sender.send("from the source", { hostname: group, port: receiver.localAddress.port }),
        );
        expect(text((await new DatagramReader(receiver).next())!.data)).toBe("from the source");
        await within(
          2_000,
          "membership",
          receiver.leaveMulticast(group, { interface: "127.0.0.1", source: "127.0.0.1" }),
        );
      },
    );

    it.skipIf(!multicast)(
      "joinMulticast resolves once joined; a join that fails rejects with a SocketError",
      async () => {
        const socket = await bindLocal(api);
        // Not an address of this host: the kernel refuses the join (ENODEV on Linux).
        const error = await failure(() =>
          socket.joinMulticast("239.255.42.98", { interface: "192.0.2.77" }),
        );
        expect(error, String(error)).toBeInstanceOf(SocketError);
        await within(
          2_000,
          "join",
          socket.joinMulticast("239.255.42.98", { interface: "127.0.0.1" }),
        );
        await within(
          2_000,
          "leave",
          socket.leaveMulticast("239.255.42.98", { interface: "127.0.0.1" }),
        );
      },
    );

    it("a datagram over the UDP limit is EMSGSIZE, never truncated; the limit itself arrives whole", async () => {
      const a = await bindLocal(api);
      const b = await bindLocal(api);
      const error = await expectSocketError("EMSGSIZE", () =>
        a.send(new Uint8Array(70_000), b.localAddress),
      );
      expect(error.message).toContain("70000");
      expect(a.stats.packetsSent).toBe(0);
      // 65,507 bytes: 65,535 less the IPv4 and UDP headers. Loopback's MTU carries it.
      await within(2_000, "send", a.send(new Uint8Array(65_507).fill(1), b.localAddress));
      expect((await new DatagramReader(b).next())!.data.byteLength).toBe(65_507);
    });

    it("a full receive queue drops datagrams and counts them in packetsDropped", async () => {
      const a = await bindLocal(api);
      const b = await bindLocal(api, { receiveQueueSize: 4 });
      for (let index = 0; index < 20; index++)
        await within(2_000, "send", a.send(String(index), b.localAddress));
      await until(2_000, "a drop", () => b.stats.packetsDropped > 0);
      // Nobody read: the first four are queued in order; the overflow is counted, not kept.
      const reader = new DatagramReader(b);
      const first = [];
      for (let index = 0; index < 4; index++) first.push(text((await reader.next())!.data));
      expect(first).toEqual(["0", "1", "2", "3"]);
      expect(b.stats.packetsDropped).toBeGreaterThanOrEqual(1);
      expect(b.stats.packetsDropped).toBeLessThanOrEqual(16);
    });

    it("close() ends the iteration; send after close is ECLOSED", async () => {
      const a = await bindLocal(api);
      const reader = new DatagramReader(a);
      const waiting = reader.next();
      await within(2_000, "close", a.close());
      expect(await waiting).toBeUndefined();
      await within(2_000, "closed", a.closed);
      await expectSocketError("ECLOSED", () => a.send("late", "127.0.0.1:9"));
    });

    it("bind({ signal }): aborting closes the socket", async () => {
      const controller = new AbortController();
      const a = await bindLocal(api, { signal: controller.signal });
      controller.abort();
      await within(2_000, "closed", a.closed);
      expect(a.state).toBe("closed");
    });

    it("talks over IPv6 loopback (::1), where the host has it", async (context) => {
      let a: DatagramSocket;
      try {
        a = await api.bind({ hostname: "::1", port: 0 });
      } catch (error) {
        if ((error as { code?: string }).code === "EADDRNOTAVAIL") return context.skip();
        throw error;
      }
      defer(() => a.close());
      const b = await api.bind({ hostname: "::1", port: 0 });
      defer(() => b.close());
      expect(a.localAddress).toMatchObject({ transport: "udp", hostname: "::1", family: "IPv6" });
      await within(2_000, "send", a.send("six", `[::1]:${b.localAddress.port}`));
      const datagram = await new DatagramReader(b).next();
      expect(text(datagram!.data)).toBe("six");
      expect(datagram!.remote).toEqual(a.localAddress);
    });
  });
}
