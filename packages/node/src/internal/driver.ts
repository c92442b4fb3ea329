// The Node.js driver: node:net for streams, node:dgram for UDP, node:dns for lookups.
// https://nodejs.org/api/net.html · https://nodejs.org/api/dgram.html · https://nodejs.org/api/dns.html
//
// What Node cannot do (each is a `capabilities` flag):
// - SO_SNDBUF / SO_RCVBUF on a stream socket (`streamBufferSize`);
// - SO_REUSEPORT before Node 22.12 / 23.1, and outside the platforms libuv supports it on
//   (`listenReusePort`, `datagramReusePort`);
// - Linux abstract Unix names outside Linux (`unixAbstract`).
import { promises as dns } from "node:dns";
import { inetAddress } from "@omnisock/core/driver";
import type { Capabilities, Driver, InetAddress } from "@omnisock/core/driver";
import { bind } from "./datagram.js";
import { toSocketError } from "./error.js";
import { connect, listen } from "./stream.js";

/**
 * `reusePort` for net listeners and dgram sockets arrived in Node 22.12 and 23.1; older
 * versions ignore the option without a word. libuv honours it on these platforms only.
 * https://nodejs.org/api/net.html#serverlistenoptions-callback
 */
function hasReusePort(): boolean {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  const version = major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
  return version && ["linux", "freebsd", "sunos", "aix"].includes(process.platform);
}

const capabilities: Capabilities = Object.freeze({
  unix: true,
  unixAbstract: process.platform === "linux",
  udp: true,
  udpConnect: true,
  reset: true,
  halfOpen: true,
  keepAliveDelay: true,
  streamBufferSize: false,
  datagramBufferSize: true,
  connectLocalAddress: true,
  listenReusePort: hasReusePort(),
  datagramReusePort: hasReusePort(),
  exclusive: true,
  listenIpv6Only: true,
  datagramIpv6Only: true,
  backlog: true,
  unixBacklog: true,
  listenFd: true,
  reuseAddr: true,
  broadcast: true,
  ttl: true,
  multicast: true,
  multicastSource: true,
  multicastOptions: true,
  tls: true,
  tlsNoVerify: true,
  tlsReset: true,
  tlsClientCertificate: true,
  tlsClientAuth: true,
  tlsSessionInfo: true,
  tlsUpgrade: true,
  tlsServerUpgrade: true,
  tlsUpgradeBeforeData: true,
  tlsServerNoDelay: true,
  tlsKeepAlive: true,
});

async function lookup(hostname: string, family: 4 | 6 | undefined): Promise<InetAddress[]> {
  try {
    // "verbatim": the resolver's order, as getaddrinfo gives it (and as Bun and Deno do).
    const found = await dns.lookup(hostname, { all: true, family: family ?? 0, order: "verbatim" });
    return found.map(({ address }) => inetAddress("tcp", address, 0));
  } catch (error) {
    throw toSocketError(error, { syscall: "lookup", name: hostname });
  }
}

export const driver = {
  runtime: "node",
  capabilities,
  connect,
  listen,
  bind,
  lookup,
} satisfies Driver;
