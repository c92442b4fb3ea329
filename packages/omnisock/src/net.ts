// The declaration of `omnisock/net` for every export condition ("types" comes first in
// package.json). Never run: at run time the consumer's resolver loads dist/net/bun.js,
// dist/net/deno.js or dist/net/node.js, each this same code bound to that runtime's driver.
export * from "./internal/net/index.js";
