/**
 * One socket API for Node, Bun and Deno: TCP, Unix-domain, UDP and TLS, with the same names,
 * defaults, errors and counters on every runtime. `omnisock` loads the running runtime's
 * driver (`@omnisock/node`, `@omnisock/bun` or `@omnisock/deno`) by package.json export
 * conditions, and exports its {@link connect}, {@link listen}, {@link bind}, {@link lookup}
 * and {@link probe} with everything `@omnisock/core` exports.
 *
 * `omnisock/net` serves code written for node:net, and `omnisock/sockets` code written for
 * WinterTC's (Cloudflare Workers') `connect()`.
 *
 * @module omnisock
 */
// The declaration of `omnisock` for every export condition ("types" comes first in
// package.json): the API exactly as @omnisock/core defines it, so it names no runtime.
// Never run: at run time the consumer's resolver loads dist/bun.js, dist/deno.js or
// dist/node.js, each a re-export of that runtime's driver.
import type { Omnisock } from "@omnisock/core";

export * from "@omnisock/core";

/** The runtime whose driver was picked. */
export declare const runtime: Omnisock["runtime"];
/** What this runtime can honour; an option it cannot is an `ENOTSUP` error. */
export declare const capabilities: Omnisock["capabilities"];
/** Live sockets, servers and datagram sockets, and their lifecycle events. */
export declare const monitor: Omnisock["monitor"];
/** Open a TCP, TLS or Unix stream connection: {@link Omnisock.connect}. @function */
export declare const connect: Omnisock["connect"];
/** Listen for TCP, TLS or Unix stream connections: {@link Omnisock.listen}. @function */
export declare const listen: Omnisock["listen"];
/** Open a UDP socket: {@link Omnisock.bind}. @function */
export declare const bind: Omnisock["bind"];
/** Resolve a host name through the system resolver: {@link Omnisock.lookup}. @function */
export declare const lookup: Omnisock["lookup"];
/** Whether something accepts connections there: {@link Omnisock.probe}. @function */
export declare const probe: Omnisock["probe"];
