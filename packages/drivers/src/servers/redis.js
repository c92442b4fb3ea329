// @ts-check
// redis-server from Debian's packages (.ci/run installs it), in a temp dir, on 127.0.0.1,
// with nothing persisted.
import { onPath, startInTempDir } from "./process.js";

/** Whether redis-server is installed; without it the Redis cases are skipped, except in CI. */
export const redisInstalled = () => onPath("redis-server");

export function startRedis() {
  return startInTempDir("redis", (dir) => ({
    /** @param {number} port */
    serve: (port) => ({
      name: "redis-server",
      command: "redis-server",
      // Settings as `--name value` pairs: redis-server takes its config file's lines as flags.
      args: Object.entries({
        port: String(port),
        bind: "127.0.0.1",
        dir,
        save: "",
        appendonly: "no",
        daemonize: "no",
        logfile: "",
      }).flatMap(([name, value]) => [`--${name}`, value]),
      ready: /Ready to accept connections/,
    }),
  }));
}

/** @typedef {Awaited<ReturnType<typeof startRedis>>} RedisServer */
