import { defineConfig } from "tsup";

// ESM only (Node ≥ 20.19, Bun and Deno all require() it), one declaration per entry, and no
// source maps: the output is unminified ES2022, close enough to the source to read.
// `client` is the omnisock-echo-client command; `index` is what the echo server builds on.
export default defineConfig({
  entry: { client: "src/client.ts", index: "src/index.ts" },
  format: ["esm"],
  // Only the library entry is imported by another package (the echo server).
  dts: { entry: { index: "src/index.ts" } },
  clean: true,
  target: "es2022",
});
