// The Bun driver: Bun.connect and Bun.listen for streams, Bun.udpSocket for UDP, Bun.dns for
// lookups. https://bun.com/docs/api/tcp · https://bun.com/docs/api/udp · https://bun.com/docs/api/dns
// Not node:net: Bun's compatibility layer sits on the same sockets and only adds cost.
//
// What Bun cannot do (each is a `capabilities` flag):
// - SO_SNDBUF / SO_RCVBUF on any socket (`streamBufferSize`, `datagramBufferSize`);
// - a listen backlog of one's choice: Bun.listen always asks for 512 (`backlog`, `unixBacklog`);
// - share a listener with cluster workers (`exclusive`);
// - SO_REUSEADDR on a UDP socket (`reuseAddr`);
// - Linux abstract Unix names outside Linux (`unixAbstract`).
import type { Capabilities, Driver } from "@omnisock/core/driver";
import { platform } from "./bun.js";
import { bind } from "./datagram.js";
import { lookup } from "./lookup.js";
import { connect, listen } from "./stream.js";

const capabilities: Capabilities = Object.freeze({
  unix: true,
  unixAbstract: platform === "linux",
  udp: true,
  udpConnect: true, // the socket is made again, connected: see datagram.ts
  reset: true,
  halfOpen: true,
  keepAliveDelay: true,
  streamBufferSize: false,
  datagramBufferSize: false,
  connectLocalAddress: true,
  listenReusePort: platform === "linux", // checked on Linux only
  datagramReusePort: platform === "linux",
  exclusive: false,
  listenIpv6Only: true,
  datagramIpv6Only: true,
  backlog: false,
  unixBacklog: false,
  listenFd: true,
  reuseAddr: false,
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

export const driver = {
  runtime: "bun",
  capabilities,
  connect,
  listen,
  bind,
  lookup,
} satisfies Driver;
