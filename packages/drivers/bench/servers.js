// @ts-check
// The servers of the driver workloads (bench/drivers.js), started once for a whole bench run:
// redis-server and PostgreSQL on 127.0.0.1. Prints one
// JSON line with their addresses (`{"servers": …}`), then keeps them until its stdin closes,
// SIGTERM/SIGINT, or --max-secs; stops them either way. `npm run bench` starts it (bench/run.mjs).
//
//   node bench/servers.js [--max-secs 1800]
import { parseArgs } from "node:util";
import { startPostgres } from "../src/servers/postgres.js";
import { redisInstalled, startRedis } from "../src/servers/redis.js";

const { values: flags } = parseArgs({
  options: { "max-secs": { type: "string", default: "1800" } },
});
const maxMs = Number(flags["max-secs"]) * 1000;
if (!(maxMs > 0)) throw new Error("--max-secs: a positive number");

if (!redisInstalled()) {
  console.log(JSON.stringify({ error: "redis-server is not installed" }));
  process.exit(1);
}
const redis = await startRedis();
const pg = await startPostgres().catch(async (/** @type {unknown} */ error) => {
  await redis.stop();
  throw error;
});

console.log(
  JSON.stringify({
    servers: {
      redis: `${redis.host}:${redis.port}`,
      postgres: `${pg.host}:${pg.port}/${pg.database}`,
    },
  }),
);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await Promise.all([redis.stop(), pg.stop()]);
  process.exit(0);
}
process.stdin.on("end", stop);
process.stdin.on("close", stop);
process.stdin.resume();
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
setTimeout(stop, maxMs);
