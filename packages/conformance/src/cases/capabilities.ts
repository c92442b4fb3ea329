// Capabilities: what a runtime can honour works; what it cannot is ENOTSUP naming the option
// and the runtime, never silently ignored. Cases are chosen by the flags, never by runtime name.
import type { Capabilities, DatagramSocket } from "@omnisock/core";
import { capabilityNames } from "@omnisock/core";
import { type TestContext, describe, expect, it } from "vitest";
import type {
  Api,
  ConformanceContext,
  DatagramProbe,
  Kernel,
  SocketBuffers,
  TcpTimer,
} from "../context.js";
import {
  ByteReader,
  acceptingServer,
  connectTo,
  defer,
  echoServer,
  expectSocketError,
  listenLocal,
  portOf,
  text,
  uniqueName,
  within,
} from "../helpers.js";
import { socketPath } from "./unix.js";

type Attempt = [what: string, attempt: (api: Api, context: ConformanceContext) => Promise<unknown>];

async function datagram(api: Api) {
  return bindLocal(api);
}

/** A datagram socket on 127.0.0.1 (unless told otherwise), port 0, closed when the case ends. */
async function bindLocal(api: Api, options: Record<string, unknown> = {}): Promise<DatagramSocket> {
  const socket = await api.bind({ hostname: "127.0.0.1", port: 0, ...options });
  defer(() => socket.close());
  return socket;
}

/** A note for the title of a case that is skipped because the context lacks `helper`. */
function needs(helper: unknown, name: string): string {
  return helper === undefined ? ` (skipped: the context has no ${name})` : "";
}

/** What `open` gives, or the case skipped if the host has no IPv6. */
async function withIpv6<T>(testContext: TestContext, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "EADDRNOTAVAIL" || code === "EAFNOSUPPORT") testContext.skip("no IPv6 here");
    throw error;
  }
}

/**
 * A keepalive timer of `delay` on a connection idle since `idleSince` (a `performance.now()`
 * time): Linux counts TCP_KEEPIDLE from the last segment received, so a delay set on a
 * connection idle for a while fires that much sooner (tcp_sock_set_keepidle_locked).
 */
function expectKeepAlive(
  timer: TcpTimer | undefined,
  delay: number,
  idleSince: number,
  what: string,
): void {
  expect(timer?.kind, `${what}: ${JSON.stringify(timer)}`).toBe("keepalive");
  const idle = performance.now() - idleSince;
  expect(timer!.ms, what).toBeLessThanOrEqual(delay);
  // 500 ms for the kernel's tick, the read of /proc and a busy host.
  expect(timer!.ms, what).toBeGreaterThan(delay - idle - 500);
}

/** The sizes asked for, as the kernel holds them: Linux doubles them (socket(7)), others not. */
function expectBuffers(buffers: SocketBuffers | undefined, asked: SocketBuffers): void {
  expect(buffers, "the socket, in the kernel").toBeDefined();
  expect([asked.receive, 2 * asked.receive], "SO_RCVBUF").toContain(buffers!.receive);
  expect([asked.send, 2 * asked.send], "SO_SNDBUF").toContain(buffers!.send);
}

/** A datagram probe (see `Kernel.datagramProbe`), stopped when the case ends. */
async function probe(
  kernel: Kernel,
  options: { hostname: string; group?: string },
): Promise<DatagramProbe> {
  const started = await kernel.datagramProbe!(options);
  defer(() => started.close());
  return started;
}

/**
 * For each flag, the calls that must be ENOTSUP when it is false. The compiler insists on an
 * entry per flag, so a new capability cannot arrive without its conformance twin.
 */
const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const key = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

const gaps: Record<keyof Capabilities, Attempt[]> = {
  unix: [
    ["listen({ path })", (api, context) => api.listen({ path: socketPath(context) })],
    ["connect({ path })", (api, context) => api.connect({ path: socketPath(context) })],
  ],
  unixAbstract: [
    ["listen({ path: '@name' })", (api) => api.listen({ path: `@omnisock-test-${uniqueName()}` })],
    ["connect('unix:@name')", (api) => api.connect(`unix:@omnisock-test-${uniqueName()}`)],
  ],
  udp: [["bind()", (api) => api.bind({ hostname: "127.0.0.1" })]],
  udpConnect: [["datagram.connect()", async (api) => (await datagram(api)).connect("127.0.0.1:9")]],
  // reset() exists everywhere; without RST the peer sees a clean close (see errors.ts).
  reset: [],
  halfOpen: [
    [
      "connect({ allowHalfOpen: true })",
      async (api) => api.connect((await listenLocal(api)).address, { allowHalfOpen: true }),
    ],
    [
      "listen({ allowHalfOpen: true })",
      (api) => api.listen({ hostname: "127.0.0.1", allowHalfOpen: true }),
    ],
  ],
  keepAliveDelay: [
    [
      "connect({ keepAliveDelay })",
      async (api) => api.connect((await listenLocal(api)).address, { keepAliveDelay: 1_000 }),
    ],
    [
      "listen({ keepAliveDelay })",
      (api) => api.listen({ hostname: "127.0.0.1", keepAliveDelay: 1_000 }),
    ],
    [
      "socket.setKeepAlive(true, delay)",
      async (api) =>
        (await connectTo(api, (await listenLocal(api)).address)).setKeepAlive(true, 1_000),
    ],
  ],
  streamBufferSize: [
    [
      "connect({ sendBufferSize })",
      async (api) => api.connect((await listenLocal(api)).address, { sendBufferSize: 65_536 }),
    ],
    [
      "connect({ receiveBufferSize })",
      async (api) => api.connect((await listenLocal(api)).address, { receiveBufferSize: 65_536 }),
    ],
  ],
  datagramBufferSize: [
    [
      "bind({ sendBufferSize })",
      (api) => api.bind({ hostname: "127.0.0.1", sendBufferSize: 65_536 }),
    ],
    [
      "bind({ receiveBufferSize })",
      (api) => api.bind({ hostname: "127.0.0.1", receiveBufferSize: 65_536 }),
    ],
  ],
  connectLocalAddress: [
    [
      "connect({ localAddress })",
      async (api) => api.connect((await listenLocal(api)).address, { localAddress: "127.0.0.1" }),
    ],
  ],
  listenReusePort: [
    [
      "listen({ reusePort: true })",
      (api) => api.listen({ hostname: "127.0.0.1", reusePort: true }),
    ],
  ],
  datagramReusePort: [
    ["bind({ reusePort: true })", (api) => api.bind({ hostname: "127.0.0.1", reusePort: true })],
  ],
  exclusive: [
    [
      "listen({ exclusive: false })",
      (api) => api.listen({ hostname: "127.0.0.1", exclusive: false }),
    ],
  ],
  listenIpv6Only: [
    ["listen({ ipv6Only: true })", (api) => api.listen({ hostname: "::1", ipv6Only: true })],
  ],
  datagramIpv6Only: [
    ["bind({ ipv6Only: true })", (api) => api.bind({ hostname: "::1", ipv6Only: true })],
  ],
  backlog: [["listen({ backlog })", (api) => api.listen({ hostname: "127.0.0.1", backlog: 16 })]],
  unixBacklog: [
    [
      "listen({ path, backlog })",
      (api, context) => api.listen({ path: socketPath(context), backlog: 511 }),
    ],
  ],
  listenFd: [["listen({ fd })", (api) => api.listen({ fd: 3 })]],
  reuseAddr: [
    ["bind({ reuseAddr: true })", (api) => api.bind({ hostname: "127.0.0.1", reuseAddr: true })],
  ],
  broadcast: [
    ["bind({ broadcast: true })", (api) => api.bind({ hostname: "127.0.0.1", broadcast: true })],
    ["datagram.setBroadcast(true)", async (api) => (await datagram(api)).setBroadcast(true)],
  ],
  ttl: [
    ["bind({ ttl })", (api) => api.bind({ hostname: "127.0.0.1", ttl: 32 })],
    ["datagram.setTTL()", async (api) => (await datagram(api)).setTTL(32)],
  ],
  multicast: [
    [
      "datagram.joinMulticast(group)",
      async (api) => (await datagram(api)).joinMulticast("239.255.42.1"),
    ],
  ],
  multicastSource: [
    [
      "datagram.joinMulticast(group, { source })",
      async (api) => (await datagram(api)).joinMulticast("232.1.42.1", { source: "127.0.0.1" }),
    ],
  ],
  tls: [
    ["connect(target, { tls: true })", (api) => api.connect("127.0.0.1:9", { tls: true })],
    ["listen({ tls })", (api) => api.listen({ hostname: "127.0.0.1", tls: { cert: pem, key } })],
  ],
  // reset() exists everywhere; a TLS socket without RST closes cleanly instead (see tls.ts).
  tlsReset: [],
  tlsClientCertificate: [
    [
      "connect(target, { tls: { cert, key } })",
      (api) => api.connect("127.0.0.1:9", { tls: { cert: pem, key } }),
    ],
  ],
  tlsClientAuth: [
    [
      "listen({ tls: { requestCert: true } })",
      (api) =>
        api.listen({ hostname: "127.0.0.1", tls: { cert: pem, key, ca: pem, requestCert: true } }),
    ],
  ],
  // socket.tls exists everywhere; without it, protocol and cipher are undefined (see tls.ts).
  tlsSessionInfo: [],
  // setKeepAlive() on a TLS socket needs a handshake first (see tls.ts).
  tlsKeepAlive: [],
  tlsUpgrade: [
    [
      "socket.startTls()",
      async (api) => (await connectTo(api, (await listenLocal(api)).address)).startTls(),
    ],
  ],
  tlsServerUpgrade: [
    [
      "socket.startTls({ cert, key }) on an accepted socket",
      async (api) => {
        const { server, accepted } = await acceptingServer(api);
        await connectTo(api, server.address);
        return (await accepted()).startTls({ cert: pem, key });
      },
    ],
  ],
  tlsUpgradeBeforeData: [
    [
      "socket.startTls() before the peer has sent anything",
      async (api) => (await connectTo(api, (await listenLocal(api)).address)).startTls(),
    ],
  ],
  // And setNoDelay(true) on an accepted TLS socket, which needs a handshake (see tls.ts).
  tlsServerNoDelay: [
    [
      "listen({ tls, noDelay: true })",
      (api) => api.listen({ hostname: "127.0.0.1", noDelay: true, tls: { cert: pem, key } }),
    ],
  ],
  tlsNoVerify: [
    [
      "connect(target, { tls: { rejectUnauthorized: false } })",
      (api) => api.connect("127.0.0.1:9", { tls: { rejectUnauthorized: false } }),
    ],
  ],
  multicastOptions: [
    [
      "bind({ multicastTimeToLive })",
      (api) => api.bind({ hostname: "127.0.0.1", multicastTimeToLive: 2 }),
    ],
    [
      "bind({ multicastLoopback })",
      (api) => api.bind({ hostname: "127.0.0.1", multicastLoopback: false }),
    ],
    ["datagram.setMulticastTTL()", async (api) => (await datagram(api)).setMulticastTTL(2)],
    [
      "datagram.setMulticastLoopback()",
      async (api) => (await datagram(api)).setMulticastLoopback(false),
    ],
    [
      "datagram.setMulticastInterface()",
      async (api) => (await datagram(api)).setMulticastInterface("127.0.0.1"),
    ],
  ],
};

export function capabilityCases(api: Api, context: ConformanceContext): void {
  const { capabilities } = api;
  const { kernel } = context;

  describe("capabilities", () => {
    it("lists every flag as a boolean, frozen", () => {
      expect(Object.isFrozen(capabilities)).toBe(true);
      for (const name of capabilityNames) expect(typeof capabilities[name], name).toBe("boolean");
      expect(Object.keys(capabilities).sort()).toEqual([...capabilityNames].sort());
      expect(["node", "bun", "deno"]).toContain(api.runtime);
    });

    describe("gaps are ENOTSUP naming the option and the runtime", () => {
      for (const name of capabilityNames) {
        for (const [what, attempt] of gaps[name]) {
          it.runIf(!capabilities[name])(`${name} false: ${what}`, async () => {
            const error = await expectSocketError("ENOTSUP", () => attempt(api, context));
            expect(error.message).toContain(api.runtime);
          });
        }
      }
    });

    // Each case observes what the option does — mostly in the kernel (context.kernel), since
    // the runtimes' APIs cannot read most of these back — so that a driver which accepts an
    // option and drops it fails here.
    describe("what is supported takes effect", () => {
      it.skipIf(!capabilities.keepAliveDelay || !kernel?.tcpTimer)(
        `keepAliveDelay / setKeepAlive: the kernel's keepalive timer runs with that delay, and stops${needs(kernel?.tcpTimer, "kernel.tcpTimer")}`,
        async () => {
          const tcpTimer = kernel!.tcpTimer!;
          // Whole seconds (TCP_KEEPIDLE counts seconds), far enough apart to tell each from the last.
          const { server, accepted } = await acceptingServer(api, { keepAliveDelay: 3_000 });
          const client = await connectTo(api, server.address, { keepAliveDelay: 5_000 });
          // Nothing is sent after the handshake: both ends are idle from here on.
          const idleSince = performance.now();
          const peer = await accepted();
          const [near, far] = [portOf(client.localAddress), portOf(peer.localAddress)];
          const accepting = "listen({ keepAliveDelay }), accepted";
          expectKeepAlive(await tcpTimer(far, near), 3_000, idleSince, accepting);
          expectKeepAlive(
            await tcpTimer(near, far),
            5_000,
            idleSince,
            "connect({ keepAliveDelay })",
          );
          client.setKeepAlive(true, 7_000);
          expectKeepAlive(await tcpTimer(near, far), 7_000, idleSince, "setKeepAlive(true, 7000)");
          client.setKeepAlive(false);
          expect(await tcpTimer(near, far), "setKeepAlive(false)").toEqual({ kind: "none", ms: 0 });
          client.setKeepAlive(true, 4_000);
          expectKeepAlive(await tcpTimer(near, far), 4_000, idleSince, "setKeepAlive(true, 4000)");
        },
      );

      it.skipIf(!capabilities.streamBufferSize || !kernel?.socketBuffers)(
        `sendBufferSize / receiveBufferSize on a stream: the kernel holds those sizes${needs(kernel?.socketBuffers, "kernel.socketBuffers")}`,
        async () => {
          const server = await echoServer(api);
          const client = await connectTo(api, server.address, {
            receiveBufferSize: 50_000,
            sendBufferSize: 40_000,
          });
          const buffers = await kernel!.socketBuffers!("tcp", portOf(client.localAddress));
          expectBuffers(buffers, { receive: 50_000, send: 40_000 });
        },
      );

      it.skipIf(!capabilities.connectLocalAddress)(
        "connect({ localAddress }): the server sees the connection come from that address",
        async () => {
          const { server, accepted } = await acceptingServer(api);
          // Not 127.0.0.1, which the kernel would pick anyway: all of 127/8 is loopback on Linux.
          const client = await connectTo(api, server.address, { localAddress: "127.0.0.2" });
          const peer = await accepted();
          expect(client.localAddress).toMatchObject({ hostname: "127.0.0.2" });
          expect(peer.remoteAddress).toEqual(client.localAddress);
        },
      );

      it.skipIf(!capabilities.listenReusePort)(
        "listen({ reusePort }): two listeners share one port, which is EADDRINUSE without it",
        async () => {
          const first = await listenLocal(api, undefined, { reusePort: true });
          const port = portOf(first.address);
          const second = await listenLocal(api, undefined, { port, reusePort: true });
          expect(portOf(second.address)).toBe(port);
          // SO_REUSEPORT must be on both: a newcomer without it is refused…
          await expectSocketError("EADDRINUSE", () => api.listen({ hostname: "127.0.0.1", port }));
          // …and so is one with it, on the port of a listener without it.
          const plain = await listenLocal(api);
          await expectSocketError("EADDRINUSE", () =>
            api.listen({ hostname: "127.0.0.1", port: portOf(plain.address), reusePort: true }),
          );
        },
      );

      it.skipIf(!capabilities.datagramReusePort)(
        "bind({ reusePort }): two datagram sockets share one port, which is EADDRINUSE without it",
        async () => {
          const first = await bindLocal(api, { reusePort: true });
          const { port } = first.localAddress;
          const second = await bindLocal(api, { port, reusePort: true });
          expect(second.localAddress.port).toBe(port);
          await expectSocketError("EADDRINUSE", () => api.bind({ hostname: "127.0.0.1", port }));
          const plain = await bindLocal(api);
          await expectSocketError("EADDRINUSE", () =>
            api.bind({ hostname: "127.0.0.1", port: plain.localAddress.port, reusePort: true }),
          );
        },
      );

      it.skipIf(!capabilities.exclusive || !context.clusterListeners)(
        `exclusive: false lets cluster workers share one listener and its port; true gives each its own${needs(context.clusterListeners, "clusterListeners")}`,
        async () => {
          // Listening on port 0, workers that share the primary's listener share its port;
          // workers that listen by themselves each get a port of their own.
          const shared = await context.clusterListeners!(false);
          expect(shared).toHaveLength(2);
          expect(shared[0]).toBe(shared[1]);
          const own = await context.clusterListeners!(true);
          expect(own).toHaveLength(2);
          expect(own[0]).not.toBe(own[1]);
        },
      );

      it.skipIf(!capabilities.exclusive)(
        "exclusive: false outside a cluster: a listener like any other",
        async () => {
          // Only node:cluster reads the flag: outside a cluster nothing in the process or the
          // kernel differs, so what is left to check is that the listener serves.
          const server = await echoServer(api, { exclusive: false });
          const client = await connectTo(api, server.address);
          client.write("shared");
          expect(await new ByteReader(client).readText(6)).toBe("shared");
        },
      );

      it.skipIf(!capabilities.backlog || !kernel?.listenBacklog)(
        `listen({ backlog }): the kernel's accept queue has that length, 511 by default${needs(kernel?.listenBacklog, "kernel.listenBacklog")}`,
        async () => {
          const server = await listenLocal(api, undefined, { backlog: 7 });
          expect(await kernel!.listenBacklog!(server.address)).toBe(7);
          const plain = await listenLocal(api);
          expect(await kernel!.listenBacklog!(plain.address)).toBe(511);
        },
      );

      it.skipIf(!capabilities.unixBacklog || !kernel?.listenBacklog || !context.tempDir)(
        `listen({ path, backlog }): the kernel's accept queue has that length${needs(kernel?.listenBacklog, "kernel.listenBacklog")}${needs(context.tempDir, "tempDir")}`,
        async () => {
          const server = await api.listen({ path: socketPath(context), backlog: 7 });
          defer(() => server.close({ graceful: false }));
          expect(await kernel!.listenBacklog!(server.address)).toBe(7);
        },
      );

      // IPV6_V6ONLY shows in what a "::" socket leaves free: without it, the socket holds the
      // port's IPv4 side too, and an IPv4 socket on that port is EADDRINUSE. 127.0.0.1 collides
      // with a dual-stack "::" just as 0.0.0.0 does, and keeps the IPv4 side on loopback.
      it.skipIf(!capabilities.listenIpv6Only)(
        'listen({ ipv6Only }): a "::" listener leaves the port\'s IPv4 side free, which it holds without',
        async (testContext) => {
          const only = await withIpv6(testContext, () =>
            api.listen({ hostname: "::", port: 0, ipv6Only: true }),
          );
          defer(() => only.close({ graceful: false }));
          const port = portOf(only.address);
          const v4 = await listenLocal(api, undefined, { port });
          expect(portOf(v4.address)).toBe(port);
          const dual = await api.listen({ hostname: "::", port: 0 });
          defer(() => dual.close({ graceful: false }));
          await expectSocketError("EADDRINUSE", () =>
            api.listen({ hostname: "127.0.0.1", port: portOf(dual.address) }),
          );
        },
      );

      it.skipIf(!capabilities.datagramIpv6Only)(
        'bind({ ipv6Only }): a "::" socket leaves the port\'s IPv4 side free, which it holds without',
        async (testContext) => {
          const only = await withIpv6(testContext, () =>
            api.bind({ hostname: "::", port: 0, ipv6Only: true }),
          );
          defer(() => only.close());
          const { port } = only.localAddress;
          const v4 = await bindLocal(api, { port });
          expect(v4.localAddress.port).toBe(port);
          const dual = await api.bind({ hostname: "::", port: 0 });
          defer(() => dual.close());
          await expectSocketError("EADDRINUSE", () =>
            api.bind({ hostname: "127.0.0.1", port: dual.localAddress.port }),
          );
        },
      );

      it.skipIf(!capabilities.reuseAddr)(
        "bind({ reuseAddr }): two datagram sockets on one port, which is EADDRINUSE without it",
        async () => {
          const first = await bindLocal(api, { reuseAddr: true });
          const { port } = first.localAddress;
          const second = await bindLocal(api, { port, reuseAddr: true });
          expect(second.localAddress.port).toBe(port);
          // SO_REUSEADDR must be on both.
          await expectSocketError("EADDRINUSE", () => api.bind({ hostname: "127.0.0.1", port }));
        },
      );

      it.skipIf(!capabilities.datagramBufferSize || !kernel?.socketBuffers)(
        `sendBufferSize / receiveBufferSize on a datagram socket: the kernel holds those sizes${needs(kernel?.socketBuffers, "kernel.socketBuffers")}`,
        async () => {
          const socket = await bindLocal(api, {
            receiveBufferSize: 50_000,
            sendBufferSize: 40_000,
          });
          const buffers = await kernel!.socketBuffers!("udp", socket.localAddress.port);
          expectBuffers(buffers, { receive: 50_000, send: 40_000 });
        },
      );

      it.skipIf(!capabilities.broadcast)(
        "broadcast / setBroadcast: a send to 127.255.255.255 leaves only while the flag is on",
        async () => {
          // Linux routes 127.255.255.255 to `lo`; a socket bound to it receives what is sent there.
          const receiver = await api.bind({ hostname: "127.255.255.255", port: 0 });
          defer(() => receiver.close());
          const received = receiver[Symbol.asyncIterator]();
          const target = { hostname: "127.255.255.255", port: receiver.localAddress.port };
          const sender = await bindLocal(api, { broadcast: true });
          await within(2_000, "send", sender.send("on from bind", target));
          const first = await within(2_000, "receive", received.next());
          expect(text(first.value!.data)).toBe("on from bind");
          sender.setBroadcast(false);
          await expectSocketError("EACCES", () => sender.send("off", target));
          sender.setBroadcast(true);
          await within(2_000, "send", sender.send("on again", target));
          const second = await within(2_000, "receive", received.next());
          expect(text(second.value!.data)).toBe("on again");
        },
      );

      it.skipIf(!capabilities.ttl || !kernel?.datagramProbe)(
        `ttl / setTTL: the datagrams arrive with that TTL${needs(kernel?.datagramProbe, "kernel.datagramProbe")}`,
        async () => {
          const receiver = await probe(kernel!, { hostname: "127.0.0.1" });
          const target = { hostname: "127.0.0.1", port: receiver.port };
          const sender = await bindLocal(api, { ttl: 32 });
          const from = { hostname: "127.0.0.1", port: sender.localAddress.port };
          await within(2_000, "send", sender.send("from bind", target));
          expect(await receiver.next(2_000)).toMatchObject({ data: "from bind", ttl: 32, ...from });
          sender.setTTL(17);
          await within(2_000, "send", sender.send("from setTTL", target));
          expect(await receiver.next(2_000)).toMatchObject({ data: "from setTTL", ttl: 17 });
        },
      );

      it.skipIf(!capabilities.multicastOptions || !kernel?.datagramProbe)(
        `multicastTimeToLive / setMulticastTTL: the group's datagrams arrive with that TTL, 1 by default${needs(kernel?.datagramProbe, "kernel.datagramProbe")}`,
        async () => {
          const group = "239.255.42.101";
          const member = await probe(kernel!, { hostname: "127.0.0.1", group });
          const target = { hostname: group, port: member.port };
          const plain = await bindLocal(api);
          plain.setMulticastInterface("127.0.0.1");
          await within(2_000, "send", plain.send("by default", target));
          expect(await member.next(2_000)).toMatchObject({ data: "by default", ttl: 1 });
          const sender = await bindLocal(api, { multicastTimeToLive: 3 });
          sender.setMulticastInterface("127.0.0.1");
          await within(2_000, "send", sender.send("from bind", target));
          expect(await member.next(2_000)).toMatchObject({ data: "from bind", ttl: 3 });
          sender.setMulticastTTL(5);
          await within(2_000, "send", sender.send("from setMulticastTTL", target));
          expect(await member.next(2_000)).toMatchObject({ data: "from setMulticastTTL", ttl: 5 });
        },
      );

      it.skipIf(!capabilities.multicastOptions || !kernel?.multicastLoop)(
        `multicastLoopback / setMulticastLoopback: the kernel's IP_MULTICAST_LOOP follows, on by default${needs(kernel?.multicastLoop, "kernel.multicastLoop")}`,
        async () => {
          // Whether a member on this host gets the group's datagram cannot show it here: a
          // multicast route through `lo` delivers locally without looking at IP_MULTICAST_LOOP
          // (the kernel consults it only when the datagram leaves by another device, see
          // __mkroute_output in net/ipv4/route.c), and the cases stay on loopback. So the
          // kernel's own flag is read back instead.
          const loop = kernel!.multicastLoop!;
          const socket = await bindLocal(api, { multicastLoopback: false });
          const { port } = socket.localAddress;
          expect(await loop(port), "bind({ multicastLoopback: false })").toBe(false);
          socket.setMulticastLoopback(true);
          expect(await loop(port), "setMulticastLoopback(true)").toBe(true);
          socket.setMulticastLoopback(false);
          expect(await loop(port), "setMulticastLoopback(false)").toBe(false);
          const plain = await bindLocal(api);
          expect(await loop(plain.localAddress.port), "the default").toBe(true);
        },
      );

      it.skipIf(!capabilities.multicastOptions || !kernel?.datagramProbe)(
        `setMulticastInterface: taken, and the group's datagram arrives by that interface${needs(kernel?.datagramProbe, "kernel.datagramProbe")}`,
        async () => {
          const group = "239.255.42.102";
          const member = await probe(kernel!, { hostname: "127.0.0.1", group });
          // This shows that the interface is taken and that the datagram arrives by it, not
          // that it would have left by another without it: bound to 127.0.0.1, the sender's
          // route is `lo` anyway. A sender bound to every interface would tell, but one that
          // ignored IP_MULTICAST_IF would send off the host, and a multicast TTL of 0, which
          // keeps datagrams on the host (ip(7)), is a RangeError here.
          const sender = await bindLocal(api);
          sender.setMulticastInterface("127.0.0.1");
          await within(2_000, "send", sender.send("by lo", { hostname: group, port: member.port }));
          expect(await member.next(2_000)).toMatchObject({
            data: "by lo",
            hostname: "127.0.0.1",
            port: sender.localAddress.port,
            interface: "127.0.0.1",
          });
        },
      );
    });
  });
}
