/**
 * node:net's client API over omnisock's engine, for code written against node:net (the
 * protocol drivers postgres.js, node-postgres, mysql2, ioredis, MQTT.js take such a socket):
 * {@link Socket}, a real `stream.Duplex` with node:net's events in node:net's order,
 * {@link createConnection} (also as `connect`), `isIP`, and {@link startTls} in place of
 * `tls.connect({ socket })`. The bytes move through the running runtime's omnisock driver,
 * never through the runtime's node:net compatibility layer.
 *
 * @module omnisock/net
 */
// The declaration of `omnisock/net` for every export condition ("types" comes first in
// package.json). Never run: at run time the consumer's resolver loads dist/net/bun.js,
// dist/net/deno.js or dist/net/node.js, each this same code bound to that runtime's driver.
export * from "./internal/net/index.js";
