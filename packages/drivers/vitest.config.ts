import { defineConfig } from "vitest/config";

const runtime = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";

export default defineConfig({
  // Vitest resolves imports with Vite's resolver, which knows only the "node" condition: on Bun
  // and Deno it would hand `omnisock/net` the Node driver, which refuses to load there. The
  // running runtime's condition goes first, as Bun and Deno put it.
  ssr: {
    resolve: {
      conditions: [runtime, "node", "development|production"],
      externalConditions: [runtime, "node"],
    },
  },
  test: {
    include: ["test/**/*.test.ts"],
    // Real servers and real drivers: every wait inside a case has its own, shorter limit; these
    // are only the backstop for a case or a server start that hangs.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One file (one server) at a time: the machine has two cores, and a timing-bound wait must
    // not share them with another file's server start.
    fileParallelism: false,
    dangerouslyIgnoreUnhandledErrors: false,
  },
});
