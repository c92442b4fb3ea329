// Bad arguments through the public API: a TypeError or RangeError naming the argument and
// the value, thrown before any I/O; misuse of a closed socket: a SocketError with ECLOSED.
import { SocketError, lengthPrefixed, lines } from "@omnisock/core";
import type { DatagramSocket, Server, Socket } from "@omnisock/core";
import { describe, expect, it } from "vitest";
import type { Api } from "../context.js";
import {
  connectTo,
  defer,
  echo,
  expectSyncSocketError,
  failure,
  listenLocal,
  thrownBy,
  within,
} from "../helpers.js";

/** Live objects to misuse, made on demand for the case that asks (and closed after it). */
class Fixtures {
  readonly #api: Api;
  #server: Server | undefined;

  constructor(api: Api) {
    this.#api = api;
  }

  async server(): Promise<Server> {
    this.#server ??= await listenLocal(this.#api, echo);
    return this.#server;
  }

  async socket(): Promise<Socket> {
    return connectTo(this.#api, (await this.server()).address);
  }

  async datagram(): Promise<DatagramSocket> {
    const socket = await this.#api.bind({ hostname: "127.0.0.1", port: 0 });
    defer(() => socket.close());
    return socket;
  }
}

type Case = [
  title: string,
  attempt: (api: Api, fixtures: Fixtures) => unknown,
  errorClass: typeof TypeError | typeof RangeError,
  ...fragments: string[],
];

// Port 9 (discard) on loopback: never reached, since every one of these fails before I/O.
const target = "127.0.0.1:9";

const cases: Case[] = [
  // connect: the target
  [
    "connect: port -1 in a string",
    (api) => api.connect("127.0.0.1:-1"),
    RangeError,
    '"127.0.0.1:-1"',
  ],
  [
    "connect: port -1",
    (api) => api.connect({ hostname: "127.0.0.1", port: -1 }),
    RangeError,
    '"target.port"',
    "-1",
  ],
  [
    "connect: port 65536",
    (api) => api.connect({ hostname: "127.0.0.1", port: 65536 }),
    RangeError,
    '"target.port"',
    "65536",
  ],
  [
    "connect: port NaN",
    (api) => api.connect({ hostname: "127.0.0.1", port: Number.NaN }),
    RangeError,
    '"target.port"',
    "NaN",
  ],
  ["connect: port 0", (api) => api.connect("127.0.0.1:0"), RangeError, '"target"', '"127.0.0.1:0"'],
  ["connect: port 80a", (api) => api.connect("127.0.0.1:80a"), RangeError, '"127.0.0.1:80a"'],
  [
    "connect: port as a string",
    (api) => api.connect({ hostname: "127.0.0.1", port: "80" as never }),
    TypeError,
    '"target.port"',
    '"80"',
  ],
  ["connect: empty host", (api) => api.connect(":80"), TypeError, '"target"', '":80"'],
  [
    "connect: empty hostname",
    (api) => api.connect({ hostname: "", port: 80 }),
    TypeError,
    '"target.hostname"',
    '""',
  ],
  ["connect: a number as target", (api) => api.connect(80 as never), TypeError, '"target"', "80"],
  [
    "connect: a UDP address",
    (api) => api.connect("udp://127.0.0.1:53"),
    TypeError,
    '"target"',
    "UDP",
  ],
  [
    "connect: both hostname and path",
    (api) => api.connect({ hostname: "127.0.0.1", port: 80, path: "x.sock" } as never),
    TypeError,
    "cannot be used together",
  ],
  [
    "connect: unknown field in the target",
    (api) => api.connect({ host: "127.0.0.1", port: 80 } as never),
    TypeError,
    '"host"',
  ],
  [
    "connect: target.family disagrees with the address",
    (api) => api.connect({ hostname: "127.0.0.1", port: 80, family: "IPv6" } as never),
    TypeError,
    '"target.family"',
  ],
  // connect: the options
  [
    "connect: options not an object",
    (api) => api.connect(target, "fast" as never),
    TypeError,
    '"options"',
    '"fast"',
  ],
  [
    "connect: timeout as a string",
    (api) => api.connect(target, { timeout: "100" as never }),
    TypeError,
    '"options.timeout"',
    '"100"',
  ],
  [
    "connect: timeout -1",
    (api) => api.connect(target, { timeout: -1 }),
    RangeError,
    '"options.timeout"',
    "-1",
  ],
  [
    "connect: noDelay not a boolean",
    (api) => api.connect(target, { noDelay: "yes" as never }),
    TypeError,
    '"options.noDelay"',
    '"yes"',
  ],
  [
    "connect: highWaterMark 0",
    (api) => api.connect(target, { highWaterMark: 0 }),
    RangeError,
    '"options.highWaterMark"',
    "0",
  ],
  [
    "connect: idleTimeout 1.5",
    (api) => api.connect(target, { idleTimeout: 1.5 }),
    RangeError,
    '"options.idleTimeout"',
    "1.5",
  ],
  [
    "connect: signal not an AbortSignal",
    (api) => api.connect(target, { signal: {} as never }),
    TypeError,
    '"options.signal"',
  ],
  [
    "connect: family 5",
    (api) => api.connect(target, { family: 5 as never }),
    RangeError,
    '"options.family"',
    "5",
  ],
  [
    "connect: localAddress not an IP",
    (api) => api.connect(target, { localAddress: "localhost" }),
    TypeError,
    '"options.localAddress"',
    '"localhost"',
  ],
  [
    "connect: misspelt option",
    (api) => api.connect(target, { timeOut: 5 } as never),
    TypeError,
    '"timeOut"',
    '"timeout"',
  ],
  [
    "connect: unknown option",
    (api) => api.connect(target, { speed: 5 } as never),
    TypeError,
    '"speed"',
  ],
  [
    "connect: family for a Unix path",
    (api) => api.connect({ path: "x.sock" }, { family: 4 }),
    TypeError,
    '"options.family"',
  ],
  // listen
  [
    "listen: port -1",
    (api) => api.listen({ hostname: "127.0.0.1", port: -1 }),
    RangeError,
    '"options.port"',
    "-1",
  ],
  [
    "listen: port 65536",
    (api) => api.listen({ hostname: "127.0.0.1", port: 65536 }),
    RangeError,
    '"options.port"',
    "65536",
  ],
  [
    "listen: port NaN",
    (api) => api.listen({ hostname: "127.0.0.1", port: Number.NaN }),
    RangeError,
    '"options.port"',
    "NaN",
  ],
  [
    "listen: port as a string",
    (api) => api.listen({ hostname: "127.0.0.1", port: "80a" as never }),
    TypeError,
    '"options.port"',
    '"80a"',
  ],
  [
    "listen: both path and port",
    (api) => api.listen({ path: "x.sock", port: 0 }),
    TypeError,
    "cannot be used together",
  ],
  [
    "listen: both fd and hostname",
    (api) => api.listen({ fd: 3, hostname: "127.0.0.1" }),
    TypeError,
    "cannot be used together",
  ],
  [
    "listen: a hostname with a space",
    (api) => api.listen({ hostname: "not a host", port: 0 }),
    TypeError,
    '"options.hostname"',
    '"not a host"',
  ],
  [
    "listen: backlog 0",
    (api) => api.listen({ hostname: "127.0.0.1", backlog: 0 }),
    RangeError,
    '"options.backlog"',
    "0",
  ],
  [
    "listen: maxConnections -1",
    (api) => api.listen({ hostname: "127.0.0.1", maxConnections: -1 }),
    RangeError,
    '"options.maxConnections"',
    "-1",
  ],
  ["listen: fd -1", (api) => api.listen({ fd: -1 }), RangeError, '"options.fd"', "-1"],
  [
    "listen: misspelt option",
    (api) => api.listen({ hostname: "127.0.0.1", prot: 0 } as never),
    TypeError,
    '"prot"',
  ],
  [
    "listen: options not an object",
    (api) => api.listen(null as never),
    TypeError,
    '"options"',
    "null",
  ],
  [
    "listen: onConnection not a function",
    (api) => api.listen({ hostname: "127.0.0.1" }, "echo" as never),
    TypeError,
    '"onConnection"',
  ],
  // bind
  ["bind: port 70000", (api) => api.bind({ port: 70000 }), RangeError, '"options.port"', "70000"],
  [
    "bind: family 5",
    (api) => api.bind({ family: 5 as never }),
    RangeError,
    '"options.family"',
    "5",
  ],
  [
    "bind: family disagrees with hostname",
    (api) => api.bind({ hostname: "::1", family: 4 }),
    TypeError,
    '"options.family"',
    '"::1"',
  ],
  [
    "bind: receiveQueueSize 0",
    (api) => api.bind({ receiveQueueSize: 0 }),
    RangeError,
    '"options.receiveQueueSize"',
    "0",
  ],
  ["bind: ttl 0", (api) => api.bind({ ttl: 0 }), RangeError, '"options.ttl"', "0"],
  [
    "bind: multicastLoopback not a boolean",
    (api) => api.bind({ multicastLoopback: 1 as never }),
    TypeError,
    '"options.multicastLoopback"',
    "1",
  ],
  [
    "bind: unknown option",
    (api) => api.bind({ reuseAddress: true } as never),
    TypeError,
    '"reuseAddress"',
  ],
  // lookup and probe
  ["lookup: empty name", (api) => api.lookup(""), TypeError, '"hostname"', '""'],
  [
    "lookup: family 5",
    (api) => api.lookup("localhost", { family: 5 as never }),
    RangeError,
    '"options.family"',
    "5",
  ],
  [
    "lookup: unknown option",
    (api) => api.lookup("localhost", { every: true } as never),
    TypeError,
    '"every"',
  ],
  ["probe: port 0", (api) => api.probe("127.0.0.1:0"), RangeError, '"127.0.0.1:0"'],
  [
    "probe: timeout -5",
    (api) => api.probe(target, { timeout: -5 }),
    RangeError,
    '"options.timeout"',
    "-5",
  ],
  // socket methods
  [
    "write: a number",
    async (_, fixtures) => (await fixtures.socket()).write(42 as never),
    TypeError,
    '"data"',
    "42",
  ],
  [
    "write: null",
    async (_, fixtures) => (await fixtures.socket()).write(null as never),
    TypeError,
    '"data"',
    "null",
  ],
  [
    "write: an ArrayBuffer",
    async (_, fixtures) => (await fixtures.socket()).write(new ArrayBuffer(4) as never),
    TypeError,
    '"data"',
    "ArrayBuffer",
  ],
  [
    "setTimeout: -1",
    async (_, fixtures) => (await fixtures.socket()).setTimeout(-1),
    RangeError,
    '"idleMs"',
    "-1",
  ],
  [
    "setKeepAlive: enable not a boolean",
    async (_, fixtures) => (await fixtures.socket()).setKeepAlive("yes" as never),
    TypeError,
    '"enable"',
    '"yes"',
  ],
  [
    "setKeepAlive: delay -1",
    async (_, fixtures) => (await fixtures.socket()).setKeepAlive(true, -1),
    RangeError,
    '"delayMs"',
    "-1",
  ],
  [
    "setNoDelay: 1",
    async (_, fixtures) => (await fixtures.socket()).setNoDelay(1 as never),
    TypeError,
    '"enable"',
    "1",
  ],
  // server methods
  [
    "server.close: graceful not a boolean",
    async (_, fixtures) => (await fixtures.server()).close({ graceful: "no" as never }),
    TypeError,
    '"options.graceful"',
    '"no"',
  ],
  [
    "server.broadcast: a number",
    async (_, fixtures) => (await fixtures.server()).broadcast(42 as never),
    TypeError,
    '"data"',
    "42",
  ],
  [
    "server.broadcast: except a number",
    async (_, fixtures) => (await fixtures.server()).broadcast("x", { except: 42 as never }),
    TypeError,
    '"options.except"',
  ],
  [
    "server.broadcast: unknown option",
    async (_, fixtures) => (await fixtures.server()).broadcast("x", { exclude: [] } as never),
    TypeError,
    '"exclude"',
  ],
  // datagram methods
  [
    "send: no target on an unconnected socket",
    async (_, fixtures) => (await fixtures.datagram()).send("x"),
    TypeError,
    '"target"',
  ],
  [
    "send: a number",
    async (_, fixtures) => (await fixtures.datagram()).send(42 as never, target),
    TypeError,
    '"data"',
    "42",
  ],
  [
    "send: port 0",
    async (_, fixtures) => (await fixtures.datagram()).send("x", "127.0.0.1:0"),
    RangeError,
    '"target.port"',
    "0",
  ],
  [
    "send: a TCP target",
    async (_, fixtures) => (await fixtures.datagram()).send("x", "tcp://127.0.0.1:9"),
    TypeError,
    '"target"',
    "tcp://127.0.0.1:9",
  ],
  [
    "send: empty host",
    async (_, fixtures) => (await fixtures.datagram()).send("x", { hostname: "", port: 9 }),
    TypeError,
    '"target.hostname"',
  ],
  [
    "joinMulticast: not an IP",
    async (_, fixtures) => (await fixtures.datagram()).joinMulticast("not-an-ip"),
    TypeError,
    '"group"',
    '"not-an-ip"',
  ],
  [
    "joinMulticast: interface by name",
    async (_, fixtures) =>
      (await fixtures.datagram()).joinMulticast("239.1.2.3", { interface: "lo" }),
    TypeError,
    '"options.interface"',
    '"lo"',
  ],
  [
    "joinMulticast: source not an IP",
    async (_, fixtures) => (await fixtures.datagram()).joinMulticast("232.1.2.3", { source: "me" }),
    TypeError,
    '"options.source"',
    '"me"',
  ],
  [
    "setTTL: 0",
    async (_, fixtures) => (await fixtures.datagram()).setTTL(0),
    RangeError,
    '"ttl"',
    "0",
  ],
  [
    "setTTL: 256",
    async (_, fixtures) => (await fixtures.datagram()).setTTL(256),
    RangeError,
    '"ttl"',
    "256",
  ],
  [
    "setMulticastTTL: a string",
    async (_, fixtures) => (await fixtures.datagram()).setMulticastTTL("1" as never),
    TypeError,
    '"ttl"',
    '"1"',
  ],
  [
    "setMulticastInterface: not an IP",
    async (_, fixtures) => (await fixtures.datagram()).setMulticastInterface("eth0"),
    TypeError,
    '"address"',
    '"eth0"',
  ],
  [
    "setBroadcast: a string",
    async (_, fixtures) => (await fixtures.datagram()).setBroadcast("true" as never),
    TypeError,
    '"enable"',
    '"true"',
  ],
  [
    "datagram connect: port 0",
    async (_, fixtures) => (await fixtures.datagram()).connect("127.0.0.1:0"),
    RangeError,
    '"target.port"',
  ],
  // monitor and framing
  [
    "monitor.subscribe: not a function",
    (api) => api.monitor.subscribe("log" as never),
    TypeError,
    '"listener"',
  ],
  [
    "lengthPrefixed: width 3",
    () => lengthPrefixed({ width: 3 as never }),
    RangeError,
    "width",
    "3",
  ],
  [
    "lines: maxMessageSize 0",
    () => lines({ maxMessageSize: 0 }),
    RangeError,
    '"options.maxMessageSize"',
    "0",
  ],
];

export function badInputCases(api: Api): void {
  describe("bad input", () => {
    for (const [title, attempt, errorClass, ...fragments] of cases) {
      it(`${title}: ${errorClass.name}`, async () => {
        const error = await failure(() => attempt(api, new Fixtures(api)));
        expect(error, String(error)).toBeInstanceOf(errorClass);
        expect(error).not.toBeInstanceOf(SocketError);
        for (const fragment of fragments) expect((error as Error).message).toContain(fragment);
      });
    }

    it("nothing was opened by any of the bad calls above (bad input fails before I/O)", () => {
      // Every case closed what it made on purpose; a socket left over was opened by a bad call.
      const leftovers = api.monitor.sockets().filter((entry) => entry.state !== "closed");
      expect(leftovers.map((entry) => `${entry.kind} ${entry.id}`)).toEqual([]);
    });

    it("write() after close() throws ECLOSED synchronously", async () => {
      const fixtures = new Fixtures(api);
      const socket = await fixtures.socket();
      await within(2_000, "close", socket.close());
      const error = expectSyncSocketError("ECLOSED", () => socket.write("late"));
      expect(error.syscall).toBe("write");
    });

    it("write() after end() throws ECLOSED synchronously", async () => {
      const socket = await new Fixtures(api).socket();
      await within(2_000, "end", socket.end());
      expectSyncSocketError("ECLOSED", () => socket.write("late"));
    });

    it("write() after the peer closed throws ECLOSED", async () => {
      const fixtures = new Fixtures(api);
      const socket = await fixtures.socket();
      await within(2_000, "server close", (await fixtures.server()).close({ graceful: false }));
      await within(
        2_000,
        "closed",
        socket.closed.catch(() => {}),
      );
      expectSyncSocketError("ECLOSED", () => socket.write("late"));
    });

    it("a second concurrent reader is a TypeError, not a silent split of the stream", async () => {
      const socket = await new Fixtures(api).socket();
      const iterator = socket[Symbol.asyncIterator]();
      const first = iterator.next();
      const error = await failure(() => socket[Symbol.asyncIterator]().next());
      expect(error).toBeInstanceOf(TypeError);
      socket.write("x");
      expect((await within(2_000, "first reader", first)).done).toBe(false);
    });

    it("datagram send() with a target on a connected socket is a TypeError", async () => {
      const fixtures = new Fixtures(api);
      const a = await fixtures.datagram();
      const b = await fixtures.datagram();
      await within(2_000, "connect", a.connect(b.localAddress));
      const error = await failure(() => a.send("x", b.localAddress));
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toContain('"target"');
    });

    it("datagram methods after close() throw ECLOSED", async () => {
      const a = await new Fixtures(api).datagram();
      await within(2_000, "close", a.close());
      expectSyncSocketError("ECLOSED", () => a.setBroadcast(true));
      const join = await failure(() => a.joinMulticast("239.1.2.3"));
      expect((join as SocketError).code).toBe("ECLOSED");
      const error = await failure(() => a.send("x", target));
      expect((error as SocketError).code).toBe("ECLOSED");
    });

    it("a bad call does not throw synchronously from connect/listen/bind: it rejects", () => {
      // Promise-returning functions report bad input as a rejection, never as a throw.
      for (const call of [
        () => api.connect(":80"),
        () => api.listen({ port: -1 }),
        () => api.bind({ port: -1 }),
      ]) {
        const result = (() => {
          try {
            return call();
          } catch (error) {
            return error;
          }
        })();
        expect(result).toBeInstanceOf(Promise);
        (result as Promise<unknown>).catch(() => {});
      }
      expect(thrownBy(() => api.monitor.subscribe(null as never))).toBeInstanceOf(TypeError);
    });
  });
}
