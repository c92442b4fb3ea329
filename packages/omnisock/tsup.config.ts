import { defineConfig } from "tsup";

// ESM only (Node ≥ 20.19, Bun and Deno all require() it), one declaration per entry, and no
// source maps: the output is unminified ES2022, close enough to the source to read.
// One file per export condition, each a thin entry over that runtime's driver. The drivers
// are dependencies, and `#driver` (package.json "imports", see src/node.ts) stays as it is, so
// the consumer's resolver (Node, Bun, Deno or a bundler) picks the condition, and only the
// picked driver is ever loaded.
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
  format: ["esm"],
  dts: { entry: { index: "src/index.ts", net: "src/net.ts", sockets: "src/sockets.ts" } },
  external: ["#driver"],
  clean: true,
  target: "es2022",
});
