import { defineConfig } from "tsup";

// ESM only (Node ≥ 20.19, Bun and Deno all require() it), one declaration per entry, and no
// source maps: the output is unminified ES2022, close enough to the source to read.
// Two entry points over one engine: the monitor's registry lives in a chunk both share.
export default defineConfig({
  entry: { index: "src/index.ts", driver: "src/for-drivers.ts" },
  format: ["esm"],
  dts: true,
  clean: true,
  target: "es2022",
});
