import { defineConfig } from "vitest/config";

// The interop run: Node drives, each check is a pair of child processes (a peer.mjs server
// and a client.mjs client, on any two runtimes). Run from the repository root with
//   node node_modules/vitest/vitest.mjs run --root packages/conformance/interop
export default defineConfig({
  test: {
    include: ["interop.test.ts"],
    // A pair's processes are bounded by the driver itself (15 s, then SIGKILL); this is
    // only the backstop.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // One pair at a time: the 16 MiB transfers should not compete for the machine.
    fileParallelism: false,
  },
});
