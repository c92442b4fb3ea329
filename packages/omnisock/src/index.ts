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
export declare const connect: Omnisock["connect"];
export declare const listen: Omnisock["listen"];
export declare const bind: Omnisock["bind"];
export declare const lookup: Omnisock["lookup"];
export declare const probe: Omnisock["probe"];
