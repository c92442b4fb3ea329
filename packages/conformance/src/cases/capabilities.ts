// Capabilities: what a runtime can honour works; what it cannot is ENOTSUP naming the option
// and the runtime, never silently ignored. Cases are chosen by the flags, never by runtime name.
import type { Capabilities } from "@omnisock/core";
import { capabilityNames } from "@omnisock/core";
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
  text,
  uniqueName,
  within,
} from "../helpers.js";
import { socketPath } from "./unix.js";

type Attempt = [what: string, attempt: (api: Api, context: ConformanceContext) => Promise<unknown>];

async function datagram(api: Api) {
  const socket = await api.bind({ hostname: "127.0.0.1", port: 0 });
  defer(() => socket.close());
  return socket;
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
  // reset() exists everywhere; a TLS socket without RST closes cleanly instead.
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
  const capabilities = api.capabilities;

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

    describe("what is supported works", () => {
      it.skipIf(!capabilities.keepAliveDelay)(
        "keepAliveDelay / setKeepAlive(true, delay)",
        async () => {
          const server = await echoServer(api, { keepAliveDelay: 1_000 });
          const client = await connectTo(api, server.address, { keepAliveDelay: 1_000 });
          expect(client.setKeepAlive(true, 2_000)).toBe(client);
          expect(client.setKeepAlive(false)).toBe(client);
          expect(client.setNoDelay(false)).toBe(client);
          client.write("alive");
          expect(await new ByteReader(client).readText(5)).toBe("alive");
        },
      );

      it.skipIf(!capabilities.streamBufferSize)(
        "sendBufferSize / receiveBufferSize on a stream",
        async () => {
          const server = await echoServer(api);
          const client = await connectTo(api, server.address, {
            sendBufferSize: 65_536,
            receiveBufferSize: 65_536,
          });
          client.write("sized");
          expect(await new ByteReader(client).readText(5)).toBe("sized");
        },
      );

      it.skipIf(!capabilities.connectLocalAddress)(
        "connect({ localAddress }) connects from that address",
        async () => {
          const { server, accepted } = await acceptingServer(api);
          const client = await connectTo(api, server.address, { localAddress: "127.0.0.1" });
          const peer = await accepted();
          expect(client.localAddress).toMatchObject({ hostname: "127.0.0.1" });
          expect(peer.remoteAddress).toEqual(client.localAddress);
        },
      );

      it.skipIf(!capabilities.listenReusePort)(
        "reusePort: two listeners share one port",
        async () => {
          const first = await listenLocal(api, undefined, { reusePort: true });
          const second = await listenLocal(api, undefined, {
            port: portOf(first.address),
            reusePort: true,
          });
          expect(portOf(second.address)).toBe(portOf(first.address));
        },
      );

      it.skipIf(!capabilities.datagramReusePort)(
        "reusePort: two datagram sockets share one port",
        async () => {
          const a = await api.bind({ hostname: "127.0.0.1", reusePort: true });
          defer(() => a.close());
          const b = await api.bind({
            hostname: "127.0.0.1",
            port: a.localAddress.port,
            reusePort: true,
          });
          defer(() => b.close());
          expect(b.localAddress.port).toBe(a.localAddress.port);
        },
      );

      it.skipIf(!capabilities.exclusive)("listen({ exclusive: false })", async () => {
        const server = await echoServer(api, { exclusive: false });
        const client = await connectTo(api, server.address);
        client.write("shared");
        expect(await new ByteReader(client).readText(6)).toBe("shared");
      });

      it.skipIf(!capabilities.backlog)("listen({ backlog })", async () => {
        const server = await echoServer(api, { backlog: 4 });
        const client = await connectTo(api, server.address);
        client.write("queued");
        expect(await new ByteReader(client).readText(6)).toBe("queued");
      });

      it.skipIf(!capabilities.listenIpv6Only || !capabilities.datagramIpv6Only)(
        "ipv6Only on an IPv6 listener and datagram socket",
        async (testContext) => {
          let server;
          try {
            server = await api.listen(
              { hostname: "::1", port: 0, ipv6Only: true },
              (socket) => void socket.close(),
            );
          } catch (error) {
            if ((error as { code?: string }).code === "EADDRNOTAVAIL") return testContext.skip();
            throw error;
          }
          defer(() => server.close({ graceful: false }));
          const client = await connectTo(api, `[::1]:${portOf(server.address)}`);
          expect(client.remoteAddress).toMatchObject({ family: "IPv6" });
          const socket = await api.bind({ hostname: "::1", ipv6Only: true });
          defer(() => socket.close());
          expect(socket.localAddress.family).toBe("IPv6");
        },
      );

      it.skipIf(!capabilities.reuseAddr)(
        "reuseAddr: two datagram sockets on one port",
        async () => {
          const a = await api.bind({ hostname: "127.0.0.1", reuseAddr: true });
          defer(() => a.close());
          const b = await api.bind({
            hostname: "127.0.0.1",
            port: a.localAddress.port,
            reuseAddr: true,
          });
          defer(() => b.close());
          expect(b.localAddress.port).toBe(a.localAddress.port);
        },
      );

      it.skipIf(!capabilities.datagramBufferSize)(
        "sendBufferSize / receiveBufferSize on a datagram socket",
        async () => {
          const a = await api.bind({
            hostname: "127.0.0.1",
            sendBufferSize: 65_536,
            receiveBufferSize: 65_536,
          });
          defer(() => a.close());
          await within(2_000, "send", a.send("sized", a.localAddress));
          const { value } = await within(2_000, "receive", a[Symbol.asyncIterator]().next());
          expect(text(value!.data)).toBe("sized");
        },
      );

      it.skipIf(!capabilities.ttl)("ttl and setTTL()", async () => {
        const a = await api.bind({ hostname: "127.0.0.1", ttl: 32 });
        defer(() => a.close());
        a.setTTL(64);
        await within(2_000, "send", a.send("ttl", a.localAddress));
        const { value } = await within(2_000, "receive", a[Symbol.asyncIterator]().next());
        expect(text(value!.data)).toBe("ttl");
      });

      it.skipIf(!capabilities.multicastOptions)(
        "multicastTimeToLive, multicastLoopback and their setters",
        async () => {
          const a = await api.bind({
            hostname: "127.0.0.1",
            multicastTimeToLive: 4,
            multicastLoopback: true,
          });
          defer(() => a.close());
          a.setMulticastTTL(2);
          a.setMulticastLoopback(false);
          a.setMulticastInterface("127.0.0.1");
        },
      );
    });
  });
}
