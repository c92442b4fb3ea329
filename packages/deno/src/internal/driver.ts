// The Deno driver: Deno.connect and Deno.listen for streams, Deno.listenDatagram for UDP,
// getaddrinfo (through Deno's node:dns) for lookups.
// https://docs.deno.com/api/deno/network · https://docs.deno.com/api/node/dns/
// Not node:net: Deno's compatibility layer sits on the same sockets and only adds cost.
//
// What Deno cannot do (each is a `capabilities` flag):
// - UDP without --unstable-net (`udp`);
// - SO_REUSEPORT on a UDP socket (`datagramReusePort`); on a listener only with
//   --unstable-net and only on Linux (elsewhere Deno ignores it without a word) (`listenReusePort`);
// - a backlog for a Unix listener: Deno always asks for 1024 (`unixBacklog`);
// - send an RST (`reset`), or set a keepalive delay (`keepAliveDelay`);
// - SO_SNDBUF / SO_RCVBUF on any socket (`streamBufferSize`, `datagramBufferSize`);
// - connect from a chosen local address (`connectLocalAddress`);
// - IPV6_V6ONLY (`listenIpv6Only`, `datagramIpv6Only`), an inherited listening fd (`listenFd`), cluster sharing
//   (`exclusive`), IP_TTL (`ttl`), source-specific multicast (`multicastSource`), multicast
//   TTL / loopback / interface setters (`multicastOptions`);
// - Unix sockets on Windows (`unix`), abstract Unix names outside Linux (`unixAbstract`);
// - TLS: see tls.ts (`tlsNoVerify`, `tlsReset`, `tlsClientCertificate`, `tlsClientAuth`,
//   `tlsSessionInfo`, `tlsUpgradeBeforeData`, `tlsServerNoDelay`, `tlsKeepAlive`).
import type { Capabilities, Driver } from "@omnisock/core/driver";
import { bind } from "./datagram.js";
import { deno, unstableNet } from "./deno.js";
import { lookup } from "./lookup.js";
import { listen } from "./server.js";
import { connect } from "./stream.js";

const os = deno.build.os;

const capabilities: Capabilities = Object.freeze({
  unix: os !== "windows",
  unixAbstract: os === "linux",
  udp: unstableNet,
  udpConnect: unstableNet, // emulated over an unconnected socket: see datagram.ts
  reset: false,
  halfOpen: true,
  keepAliveDelay: false,
  streamBufferSize: false,
  datagramBufferSize: false,
  connectLocalAddress: false,
  // Deno.listen takes reusePort with --unstable-net, on Linux only (elsewhere it ignores it
  // without a word); Deno.listenDatagram does not take it at all.
  listenReusePort: unstableNet && os === "linux",
  datagramReusePort: false,
  exclusive: false,
  listenIpv6Only: false,
  datagramIpv6Only: false,
  backlog: true,
  unixBacklog: false, // a Unix listener always asks for 1024

  listenFd: false,
  reuseAddr: unstableNet,
  broadcast: unstableNet, // always on in Deno; "off" is emulated: see datagram.ts
  ttl: false,
  multicast: unstableNet,
  multicastSource: false,
  multicastOptions: false,
  tls: true,
  tlsNoVerify: false, // only --unsafely-ignore-certificate-errors, for the whole process
  tlsReset: false,
  tlsClientCertificate: false, // Deno.startTls takes none: deno#21496
  tlsClientAuth: false, // Deno.listenTls cannot ask for client certificates
  tlsSessionInfo: false, // Deno's handshake() tells the ALPN protocol only
  tlsUpgrade: true, // Deno.startTls; a plain client connection reads on demand for it (stream.ts)
  tlsServerUpgrade: false, // Deno.startTls is client-only: deno#18451
  tlsUpgradeBeforeData: false, // until the first chunk a read is pending, and Deno.startTls refuses that
  tlsServerNoDelay: false, // Deno.TlsConn has no setNoDelay: deno#13617
  tlsKeepAlive: false, // nor setKeepAlive: deno#13617
});

// What a missing --unstable-net takes away, and so what the ENOTSUP error tells the user to do.
const needsUnstableNet = "Deno needs the --unstable-net flag for UDP";
const reusePortNeedsUnstableNet = "Deno needs the --unstable-net flag for reusePort";
const hints = unstableNet
  ? {}
  : Object.freeze({
      udp: needsUnstableNet,
      udpConnect: needsUnstableNet,
      reuseAddr: needsUnstableNet,
      broadcast: needsUnstableNet,
      multicast: needsUnstableNet,
      listenReusePort: reusePortNeedsUnstableNet,
    });

export const driver = {
  runtime: "deno",
  capabilities,
  hints,
  connect,
  listen,
  bind,
  lookup,
} satisfies Driver;
