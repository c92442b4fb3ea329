import { defineConfig } from "tsup";

// ESM only (Node ≥ 20.19, Bun and Deno all require() it), one declaration per entry, and no
// source maps: the output is unminified ES2022, close enough to the source to read.
export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm"],
  dts: true,
  clean: true,
  target: "es2022",
});
