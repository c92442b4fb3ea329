import { defineConfig } from "tsup";

// One file per export condition, each a thin entry over that runtime's driver. The drivers
// are dependencies, so tsup leaves them external: the consumer's resolver (Node, Bun, Deno or
// a bundler) picks the condition, and only the picked driver is ever loaded.
// `omnisock/net` and `omnisock/sockets` are one implementation (src/internal/), which each
// runtime's entry binds to its driver; it lands in a chunk the three entries share.
// One declaration per export serves every condition: the API as src/index.ts, src/net.ts and
// src/sockets.ts declare it.
const runtimes = ["bun", "deno", "node"] as const;

export default defineConfig({
  entry: Object.fromEntries(
    runtimes.flatMap((runtime) => [
      [runtime, `src/${runtime}.ts`],
      [`net/${runtime}`, `src/net/${runtime}.ts`],
      [`sockets/${runtime}`, `src/sockets/${runtime}.ts`],
    ]),
  ),
  splitting: true,
  format: ["esm", "cjs"],
  dts: { entry: { index: "src/index.ts", net: "src/net.ts", sockets: "src/sockets.ts" } },
  sourcemap: true,
  clean: true,
  target: "es2022",
});
