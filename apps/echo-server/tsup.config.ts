import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/server.ts", "src/demo.ts"],
  format: ["esm"],
  sourcemap: true,
  clean: true,
  target: "es2022",
  platform: "node",
});
