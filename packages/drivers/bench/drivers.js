// @ts-check
// Driver workloads to compare socket modules (issue 9, item 5): ioredis pipelined GETs and
// postgres.js point selects against real servers, each driver on the socket module given by
// --socket (a key of netModules in src/socket-factory.js). Runs unbuilt on every runtime; prints
// one JSON line per workload and stops by itself.
//
//   node bench/drivers.js [--socket omnisock/net] [--rounds 5] [--only redis,postgres]
//                         [--redis host:port] [--postgres host:port/database]
//   bun bench/drivers.js ...            deno run -A bench/drivers.js ...
//
// Without --redis / --postgres it starts (and stops) the servers itself; `npm run bench` starts
// them once for the whole run instead (bench/servers.js) and passes their addresses, and reads
// the lines as its scenarios D1–D3 (bench/run.mjs at the root). Asserts no speed, only that
// every answer was right.
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import postgres from "postgres";
import { runtime } from "../src/runtime.js";
import { startPostgres, postgresUsers } from "../src/servers/postgres.js";
import { redisInstalled, startRedis } from "../src/servers/redis.js";
import { netModules, socketHooks } from "../src/socket-factory.js";

/** The workloads, by the name `--only` takes ("postgres" is both of postgres.js's). */
const workloads = {
  redis: "ioredis: 10,000 pipelined GETs",
  "postgres-pipelined": "postgres.js: 5,000 pipelined point selects",
  "postgres-serial": "postgres.js: 5,000 point selects, one at a time",
};

const { values: flags } = parseArgs({
  options: {
    socket: { type: "string", default: "omnisock/net" },
    rounds: { type: "string", default: "5" },
    only: { type: "string", default: "redis,postgres" },
    redis: { type: "string" },
    postgres: { type: "string" },
    "max-secs": { type: "string", default: "300" },
  },
});
const socket = /** @type {string} */ (flags.socket);
const rounds = Number(flags.rounds);
const only = new Set(
  String(flags.only)
    .split(",")
    .flatMap((name) => (name === "postgres" ? ["postgres-pipelined", "postgres-serial"] : [name])),
);
if (!(socket in netModules))
  throw new Error(`--socket: one of ${Object.keys(netModules).join(", ")}`);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 100) throw new Error("--rounds: 1 to 100");
for (const name of only) {
  if (!(name in workloads)) throw new Error(`--only: ${Object.keys(workloads).join(", ")}`);
}
// The program stops by itself, whatever hangs.
setTimeout(
  () => {
    console.log(JSON.stringify({ error: `over --max-secs ${flags["max-secs"]}` }));
    process.exit(1);
  },
  Number(flags["max-secs"]) * 1000,
).unref?.();

const hooks = await socketHooks({ socket });

/**
 * Runs `round` once to warm up, then `rounds` times; prints the median rate.
 * @param {keyof typeof workloads} id
 * @param {number} operations Per round.
 * @param {() => Promise<void>} round Throws if any answer was wrong.
 */
async function measure(id, operations, round) {
  const name = workloads[id];
  await bounded(round(), `${name}, warm-up`);
  /** @type {number[]} */
  const rates = [];
  for (let index = 0; index < rounds; index++) {
    const started = performance.now();
    await bounded(round(), name);
    rates.push(operations / ((performance.now() - started) / 1000));
  }
  const sorted = [...rates].sort((a, b) => a - b);
  const median = /** @type {number} */ (sorted[Math.floor(sorted.length / 2)]);
  const line = { runtime, socket, id, workload: name, operations, opsPerSec: Math.round(median) };
  console.log(JSON.stringify({ ...line, rounds: rates.map(Math.round) }));
}

/**
 * Fails a round that takes more than a minute: the bench stops by itself.
 * @param {Promise<void>} promise
 * @param {string} what
 */
async function bounded(promise, what) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: over 60 s`)), 60_000);
  });
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The server at `given` ("host:port[/database]"), or one this program starts and stops.
 * @template {{ host: string, port: number, stop(): Promise<void> }} Server
 * @param {string | undefined} given
 * @param {() => Promise<Server>} start
 * @returns {Promise<{ host: string, port: number, database: string, stop(): Promise<void> }>}
 */
async function serverAt(given, start) {
  if (given === undefined) return { database: "postgres", ...(await start()) };
  const [, host = "", port = "", database = "postgres"] =
    /^(.+):(\d+)(?:\/(.+))?$/.exec(given) ?? [];
  if (host === "") throw new Error(`not host:port[/database]: ${given}`);
  return { host, port: Number(port), database, stop: async () => {} };
}

if (only.has("redis")) {
  if (flags.redis === undefined && !redisInstalled())
    throw new Error("redis-server is not installed");
  const server = await serverAt(flags.redis, startRedis);
  try {
    const client = new Redis({
      host: server.host,
      port: server.port,
      Connector: hooks.IoredisConnector,
      maxRetriesPerRequest: 0,
    });
    try {
      const keys = 1_000;
      await client.mset(
        Object.fromEntries(Array.from({ length: keys }, (_, i) => [`k${i}`, `v${i}`])),
      );
      const gets = 10_000;
      await measure("redis", gets, async () => {
        const pipeline = client.pipeline();
        for (let index = 0; index < gets; index++) pipeline.get(`k${index % keys}`);
        const results = (await pipeline.exec()) ?? [];
        const wrong = results.filter(
          ([error, value], index) => error || value !== `v${index % keys}`,
        );
        if (results.length !== gets || wrong.length > 0) throw new Error("wrong GET answers");
      });
    } finally {
      client.disconnect();
    }
  } finally {
    await server.stop();
  }
}

if (only.has("postgres-pipelined") || only.has("postgres-serial")) {
  const server = await serverAt(flags.postgres, startPostgres);
  try {
    // `socket` is documented in postgres.js's README ("Custom socket") but not in its types.
    const hook = { socket: hooks.postgresJs };
    // One connection: what is measured is that socket, not a pool spreading over several.
    const sql = postgres({
      host: server.host,
      port: server.port,
      database: server.database,
      ...postgresUsers.admin,
      max: 1,
      onnotice: () => {},
      ...hook,
    });
    try {
      const rows = 1_000;
      // The servers may be shared by several runs of this program (npm run bench).
      await sql`create table if not exists points (id int primary key, value text not null)`;
      await sql`insert into points select i, 'value-' || i from generate_series(0, ${rows - 1}) i
                on conflict do nothing`;
      const selects = 5_000;
      /** @param {number} index */
      const select = async (index) => {
        const [row] = await sql`select value from points where id = ${index % rows}`;
        if (row?.value !== `value-${index % rows}`) throw new Error("wrong SELECT answer");
      };
      if (only.has("postgres-pipelined")) {
        await measure("postgres-pipelined", selects, async () => {
          await Promise.all(Array.from({ length: selects }, (_, index) => select(index)));
        });
      }
      if (only.has("postgres-serial")) {
        await measure("postgres-serial", selects, async () => {
          for (let index = 0; index < selects; index++) await select(index);
        });
      }
    } finally {
      await sql.end({ timeout: 5 });
    }
  } finally {
    await server.stop();
  }
}
