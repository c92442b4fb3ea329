import { defineConfig } from "tsup";

// ESM only (Node ≥ 20.19, Bun and Deno all require() it), and no source maps: the output is
// unminified ES2022, close enough to the source to read.
// `server` is the omnisock-echo-server command; `demo` is what `npm start` runs.
export default defineConfig({
  entry: { server: "src/server.ts", demo: "src/demo.ts" },
  format: ["esm"],
  // A program, not a library: nothing imports it, so no declarations.
  dts: false,
  clean: true,
  target: "es2022",
});
