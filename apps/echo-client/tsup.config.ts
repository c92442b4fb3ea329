import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/client.ts", "src/index.ts"],
  format: ["esm"],
  // Only the library entry is imported by another package (the echo-server demo).
  dts: { entry: "src/index.ts" },
  sourcemap: true,
  clean: true,
  target: "es2022",
  platform: "node",
});
