/**
 * The WinterTC Sockets API (`connect(address, options)` as Cloudflare Workers ship it in
 * `cloudflare:sockets`) over omnisock's engine: code written for Workers runs unchanged on
 * Node, Bun and Deno. See {@link connect}.
 *
 * @module omnisock/sockets
 */
// The declaration of `omnisock/sockets` for every export condition ("types" comes first in
// package.json). Never run: at run time the consumer's resolver loads dist/sockets/bun.js,
// dist/sockets/deno.js or dist/sockets/node.js, each this same code bound to that runtime's
// driver.
export * from "./internal/sockets/socket.js";
