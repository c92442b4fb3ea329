// Engine unit tests of DatagramSocket over a scripted fake driver: what it asks of a driver
// when sending (no promise of its own for a datagram that went out at once, counters through
// `sink.sent`) and what it makes of what a driver delivers (one `remote` per run of datagrams
// from one sender). Real-socket behaviour is the conformance suite's job.
import { describe, expect, it } from "vitest";
import { type HostAddress, inetAddress } from "./address.js";
import { type Datagram, type DatagramSocket, openDatagram } from "./datagram.js";
import type { DatagramHandle, DatagramSink } from "./driver.js";
import { normalizeBind } from "./normalize.js";

class FakeDatagram implements DatagramHandle {
  readonly localAddress = inetAddress("udp", "127.0.0.1", 1);
  sink!: DatagramSink;
  /** The target of each send, as the engine handed it over. */
  targets: (HostAddress | undefined)[] = [];
  /** While set, a send waits for it; else it goes out at once. */
  waitFor: Promise<void> | undefined;
  /** While set, a send fails with it. */
  failure: Error | undefined;
  send(data: Uint8Array, target: HostAddress | undefined) {
    this.targets.push(target);
    if (this.failure) throw this.failure;
    if (!this.waitFor) {
      this.sink.sent(data.byteLength);
      return undefined;
    }
    return this.waitFor.then(() => this.sink.sent(data.byteLength));
  }
  async connect(target: HostAddress) {
    return inetAddress("udp", target.hostname, target.port);
  }
  setBroadcast() {}
  setTTL() {}
  setMulticastTTL() {}
  setMulticastLoopback() {}
  setMulticastInterface() {}
  addMembership() {}
  dropMembership() {}
  async close() {}
  ref() {}
  unref() {}
}

async function bind() {
  const handle = new FakeDatagram();
  const socket = await openDatagram(
    async (sink) => {
      handle.sink = sink;
      return handle;
    },
    normalizeBind({}),
    { runtime: "fake", capabilities: { udpConnect: true } as never },
  );
  return { handle, socket };
}

async function receive(socket: DatagramSocket): Promise<Datagram> {
  const { value } = await socket[Symbol.asyncIterator]().next();
  return value as Datagram;
}

describe("DatagramSocket.send", () => {
  it("counts a datagram that went out at once before returning, with no promise of its own", async () => {
    const { socket } = await bind();
    const first = socket.send("ab", "127.0.0.1:9");
    expect(socket.stats).toMatchObject({ bytesSent: 2, packetsSent: 1 });
    expect(socket.send("c", "127.0.0.1:9")).toBe(first);
    expect(socket.stats).toMatchObject({ bytesSent: 3, packetsSent: 2 });
    await expect(first).resolves.toBeUndefined();
  });

  it("settles a datagram that waits only once the driver has sent it", async () => {
    const { handle, socket } = await bind();
    let release!: () => void;
    handle.waitFor = new Promise((resolve) => (release = resolve));
    const sending = socket.send("ab", "127.0.0.1:9");
    expect(socket.stats.packetsSent).toBe(0);
    release();
    await sending;
    expect(socket.stats).toMatchObject({ bytesSent: 2, packetsSent: 1 });
  });

  it("rejects bad input and a failed send, never throws, and counts neither", async () => {
    const { handle, socket } = await bind();
    const bad = socket.send(42 as never, "127.0.0.1:9");
    await expect(bad).rejects.toThrow(TypeError);
    await expect(socket.send("x", "127.0.0.1:0")).rejects.toThrow(RangeError);
    handle.failure = new Error("refused");
    await expect(socket.send("x", "127.0.0.1:9")).rejects.toThrow("refused");
    expect(socket.stats.packetsSent).toBe(0);
  });

  it("checks a frozen target once while it stays the last one", async () => {
    const { handle, socket } = await bind();
    const target = Object.freeze({ hostname: "127.0.0.1", port: 9 });
    await socket.send("a", target);
    await socket.send("b", target);
    await socket.send("c", "127.0.0.1:9");
    await socket.send("d", "127.0.0.1:9");
    // The checked form is made anew by each check: the same object means no second check.
    expect(handle.targets[1]).toBe(handle.targets[0]);
    expect(handle.targets[3]).toBe(handle.targets[2]);
    expect(handle.targets[2]).not.toBe(handle.targets[0]);
    expect(handle.targets[0]).toEqual({
      transport: "udp",
      hostname: "127.0.0.1",
      port: 9,
      family: "IPv4",
    });
  });

  it("checks a target that can change on every send", async () => {
    const { handle, socket } = await bind();
    const target = { hostname: "127.0.0.1", port: 9 };
    await socket.send("a", target);
    target.port = 10;
    await socket.send("b", target);
    expect(handle.targets.map((sent) => sent?.port)).toEqual([9, 10]);
    target.port = 0;
    await expect(socket.send("c", target)).rejects.toThrow(RangeError);
  });
});

describe("DatagramSocket receiving", () => {
  it("gives a run of datagrams from one sender one frozen remote, and a new sender a new one", async () => {
    const { socket, handle } = await bind();
    const data = new Uint8Array([1]);
    handle.sink.message(data, "127.0.0.1", 5000);
    handle.sink.message(data, "127.0.0.1", 5000);
    handle.sink.message(data, "::1", 5000);
    const first = await receive(socket);
    const second = await receive(socket);
    const third = await receive(socket);
    expect(second.remote).toBe(first.remote);
    expect(Object.isFrozen(first.remote)).toBe(true);
    expect(first.remote).toEqual({
      transport: "udp",
      hostname: "127.0.0.1",
      port: 5000,
      family: "IPv4",
    });
    expect(third.remote).toEqual({ transport: "udp", hostname: "::1", port: 5000, family: "IPv6" });
  });

  it("sends a reply to a received remote without checking it again", async () => {
    const { socket, handle } = await bind();
    handle.sink.message(new Uint8Array([1]), "127.0.0.1", 5000);
    handle.sink.message(new Uint8Array([2]), "127.0.0.1", 5000);
    for (let count = 0; count < 2; count++) {
      const { remote } = await receive(socket);
      await socket.send("pong", remote);
    }
    expect(handle.targets[1]).toBe(handle.targets[0]);
  });
});

describe("DatagramSocket.read(handler)", () => {
  it("hands over what was queued, then each datagram as it comes, never inside read()", async () => {
    const { socket, handle } = await bind();
    handle.sink.message(new Uint8Array([1]), "127.0.0.1", 5000);
    const seen: number[] = [];
    const stop = new AbortController();
    const reading = socket.read(
      (datagram, owner) => {
        expect(owner).toBe(socket);
        seen.push(datagram.data[0]!);
        if (seen.length === 3) stop.abort();
      },
      { signal: stop.signal },
    );
    expect(seen).toEqual([]);
    await Promise.resolve();
    expect(seen).toEqual([1]);
    handle.sink.message(new Uint8Array([2]), "127.0.0.1", 5000);
    handle.sink.message(new Uint8Array([3]), "127.0.0.1", 5000);
    handle.sink.message(new Uint8Array([4]), "127.0.0.1", 5000);
    await reading;
    expect(seen).toEqual([1, 2, 3]);
    // Stopped: the fourth waits for the next reader.
    expect((await receive(socket)).data[0]).toBe(4);
  });

  it("holds delivery while the handler's promise is pending; what arrives meanwhile is queued in order", async () => {
    const { socket, handle } = await bind();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const seen: number[] = [];
    const reading = socket.read((datagram) => {
      seen.push(datagram.data[0]!);
      return seen.length === 1 ? held : undefined;
    });
    await Promise.resolve();
    handle.sink.message(new Uint8Array([1]), "127.0.0.1", 5000);
    handle.sink.message(new Uint8Array([2]), "127.0.0.1", 5000);
    handle.sink.message(new Uint8Array([3]), "127.0.0.1", 5000);
    expect(seen).toEqual([1]);
    release();
    await held;
    await Promise.resolve();
    expect(seen).toEqual([1, 2, 3]);
    await socket.close();
    await expect(reading).resolves.toBeUndefined();
  });

  it("is one reader at a time, and rejects with what the handler threw", async () => {
    const { socket, handle } = await bind();
    const thrown = new Error("handler");
    const reading = socket.read(() => {
      throw thrown;
    });
    await expect(socket.read(() => {})).rejects.toBeInstanceOf(TypeError);
    await expect(socket[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(TypeError);
    handle.sink.message(new Uint8Array([1]), "127.0.0.1", 5000);
    await expect(reading).rejects.toBe(thrown);
    expect(socket.state).toBe("open");
    await expect(socket.read(null as never)).rejects.toBeInstanceOf(TypeError);
  });
});
