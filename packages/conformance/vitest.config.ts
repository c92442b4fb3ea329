import { defineConfig } from "vitest/config";

const runtime = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";

export default defineConfig({
  test: {
    // One entry per runtime (test/node.test.ts, test/bun.test.ts, …); each imports a driver
    // that refuses to load on another runtime, so a run takes only its own runtime's entry.
    include: [`test/${runtime}.test.ts`],
    // Real sockets on loopback: a 64 MiB transfer, connect and idle timeouts that must
    // expire, child processes. Every wait inside a case has its own, shorter limit; this
    // is only the backstop for a case that hangs.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // One case at a time: the backpressure and black-hole cases fill kernel buffers and
    // accept queues, and a timing assertion must not share the machine with them.
    fileParallelism: false,
    // An unhandled rejection or uncaught exception anywhere in the run is reported as an
    // error and fails it (vitest's default, stated so that it cannot be switched off here).
    dangerouslyIgnoreUnhandledErrors: false,
  },
});
