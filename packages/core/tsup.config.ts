import { defineConfig } from "tsup";

export default defineConfig({
  // Two entry points over one engine: the monitor's registry lives in a chunk both share.
  entry: { index: "src/index.ts", driver: "src/for-drivers.ts" },
  // In the CommonJS build too (tsup's own splitting, esbuild has none for cjs), so that a
  // require() of both entries gets one Socket class and one monitor.
  splitting: true,
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
});
