// A CommonJS consumer (one-monitor.cjs, require()) and an ES module consumer (this file,
// import) of omnisock in one process get one module: the running runtime's driver both ways
// (on Deno too, whose require() resolves Node's conditions), one engine, one monitor.
import assert from "node:assert/strict";
import { once } from "node:events";
import { createRequire } from "node:module";
import * as omnisock from "omnisock";
import * as net from "omnisock/net";
import * as sockets from "omnisock/sockets";

const runtime = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";
const required = createRequire(import.meta.url)("./one-monitor.cjs");

assert.equal(omnisock.runtime, runtime);
assert.equal(required.omnisock.runtime, runtime, "require() loads the running runtime's driver");
assert.equal(required.omnisock.monitor, omnisock.monitor, "one monitor");
assert.equal(required.omnisock.connect, omnisock.connect);
assert.equal(required.net.Socket, net.Socket);
assert.equal(required.sockets.connect, sockets.connect);

// A server opened through require() is in the import's monitor; a connection opened through
// the import, and one through omnisock/net by require(), are in require()'s.
const server = await required.omnisock.listen({ hostname: "127.0.0.1", port: 0 });
const listed = (entries, item) => entries.some((entry) => entry.id === item.id);
try {
  assert.ok(listed(omnisock.monitor.sockets(), server), "the import sees require()'s server");
  const socket = await omnisock.connect(server.address);
  assert.ok(listed(required.omnisock.monitor.sockets(), socket), "require() sees the import's");
  const clients = () => omnisock.monitor.sockets().filter((entry) => entry.role === "client");
  const before = clients().length;
  const viaNet = required.net.createConnection({ host: "127.0.0.1", port: server.address.port });
  await once(viaNet, "connect");
  assert.equal(clients().length, before + 1, "the import sees omnisock/net's socket");
  viaNet.destroy();
  await socket.close();
} finally {
  await server.close({ graceful: false });
}
console.log("one monitor for require() and import");
