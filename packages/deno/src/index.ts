/**
 * omnisock's Deno driver, over `Deno.connect`, `Deno.listen`, `Deno.listenDatagram`,
 * `Deno.startTls`, `Deno.listenTls` and the system resolver: {@link connect}, {@link listen},
 * {@link bind}, {@link lookup} and {@link probe}, with everything `@omnisock/core` exports.
 * It throws at once when loaded on another runtime; `omnisock` picks the right driver by
 * itself. UDP needs `--unstable-net`.
 *
 * @module @omnisock/deno
 */
import { createApi, type Omnisock } from "@omnisock/core/driver";
import { driver } from "./internal/driver.js";

// A driver loaded on the wrong runtime fails at once rather than half-working. The check
// itself sits in ./internal/deno.ts, the first module to touch `Deno`; Node and Bun each
// have their own package, and `omnisock` picks it.
const api: Omnisock = createApi(driver);

/** Open a TCP, TLS or Unix stream connection: {@link Omnisock.connect}. @function */
export const connect: Omnisock["connect"] = api.connect;
/** Listen for TCP, TLS or Unix stream connections: {@link Omnisock.listen}. @function */
export const listen: Omnisock["listen"] = api.listen;
/** Open a UDP socket: {@link Omnisock.bind}. @function */
export const bind: Omnisock["bind"] = api.bind;
/** Resolve a host name through the system resolver: {@link Omnisock.lookup}. @function */
export const lookup: Omnisock["lookup"] = api.lookup;
/** Whether something accepts connections there: {@link Omnisock.probe}. @function */
export const probe: Omnisock["probe"] = api.probe;
/** The runtime this driver runs on: `"deno"`. */
export const runtime: Omnisock["runtime"] = api.runtime;
/** What Deno can honour: an option it cannot is refused with `ENOTSUP`. */
export const capabilities: Omnisock["capabilities"] = api.capabilities;
/** Every live socket, server and datagram socket of the process, and their events. */
export const monitor: Omnisock["monitor"] = api.monitor;
export * from "@omnisock/core";
