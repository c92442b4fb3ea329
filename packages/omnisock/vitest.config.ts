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
});
