import { defineConfig } from "tsup";

// One file per export condition, each a one-line re-export of that runtime's driver. The
// drivers are dependencies, so tsup leaves them external: the consumer's resolver (Node,
// Bun, Deno or a bundler) picks the condition, and only the picked driver is ever loaded.
// One declaration serves every condition: src/index.ts, the API as core defines it.
export default defineConfig({
  entry: ["src/bun.ts", "src/deno.ts", "src/node.ts"],
  format: ["esm", "cjs"],
  dts: { entry: "src/index.ts" },
  sourcemap: true,
  clean: true,
  target: "es2022",
});
