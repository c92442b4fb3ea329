import { defineConfig } from "vitest/config";

const runtime = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";

export default defineConfig({
  // Vitest resolves imports with Vite's resolver, not the runtime's, and Vite knows only the
  // "node" condition: on Bun and Deno it would hand `omnisock` the Node driver, which refuses
  // to load there. The running runtime's condition goes first, as Bun and Deno put it.
  ssr: {
    resolve: {
      conditions: [runtime, "node", "development|production"],
      externalConditions: [runtime, "node"],
    },
  },
  test: {
    // Real sockets on loopback: every wait inside a case has its own, shorter limit; this is
    // only the backstop for a case that hangs.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // One file at a time: the backpressure cases fill kernel buffers, and the timer cases
    // must not share the machine with them.
    fileParallelism: false,
  },
});
