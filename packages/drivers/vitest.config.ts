import { defineConfig } from "vitest/config";

export default defineConfig({
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
