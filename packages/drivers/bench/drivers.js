// @ts-check
// Driver workloads to compare socket modules (issue 9, item 5): ioredis pipelined GETs and
// postgres.js point selects against real servers, each driver on each socket module given by
// --socket (keys of netModules in src/socket-factory.js). Runs unbuilt on every runtime; prints
// one JSON line per workload and module, and stops by itself.
//
//   node bench/drivers.js [--socket omnisock/net,node:net] [--rounds 5] [--only redis,postgres]
//                         [--redis host:port] [--postgres host:port/database]
//   bun bench/drivers.js ...            deno run -A bench/drivers.js ...
//
// With several modules, each workload alternates them round by round (the first one changing
// every round) in this one process, so that the load other programs put on the machine falls
// on both alike. Without --redis / --postgres it starts (and stops) the servers itself; `npm
// run bench` starts them once for the whole run instead (bench/servers.js) and reads the lines
// as its scenarios D1–D3 (bench/run.mjs at the root). Asserts no speed, only that every answer
// was right.
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

/**
 * How many times a round runs a workload: a round of a few tens of milliseconds measures GC
 * pauses and the scheduler more than the socket (rates twice apart from one round to the next),
 * so each round lasts about half a second.
 */
const batches = { redis: 10, "postgres-pipelined": 4, "postgres-serial": 1 };

const { values: flags } = parseArgs({
  options: {
    socket: { type: "string", default: "omnisock/net,node:net" },
    rounds: { type: "string", default: "5" },
    only: { type: "string", default: "redis,postgres" },
    redis: { type: "string" },
    postgres: { type: "string" },
    "max-secs": { type: "string", default: "300" },
  },
});
const sockets = String(flags.socket).split(",");
const rounds = Number(flags.rounds);
const only = new Set(
  String(flags.only)
    .split(",")
    .flatMap((name) => (name === "postgres" ? ["postgres-pipelined", "postgres-serial"] : [name])),
);
for (const socket of sockets) {
  if (!(socket in netModules))
    throw new Error(`--socket: some of ${Object.keys(netModules).join(", ")}`);
}
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

/** Each module's hooks. */
const hooksOf = Object.fromEntries(
  await Promise.all(sockets.map(async (socket) => [socket, await socketHooks({ socket })])),
);

/**
 * Runs each module's `round` once to warm up, then `rounds` times each, alternating; prints
 * each module's median rate.
 * @param {keyof typeof workloads} id
 * @param {number} operations Per run of the workload.
 * @param {Record<string, () => Promise<void>>} roundOf One run of it per module; throws if an
 *   answer was wrong.
 */
async function measure(id, operations, roundOf) {
  const name = workloads[id];
  const batch = batches[id];
  /** @param {string} socket */
  const round = async (socket) => {
    for (let index = 0; index < batch; index++) await roundOf[socket]?.();
  };
  for (const socket of sockets) await bounded(round(socket), `${name}, ${socket}, warm-up`);
  /** @type {Record<string, number[]>} */
  const rates = Object.fromEntries(sockets.map((socket) => [socket, []]));
  for (let index = 0; index < rounds; index++) {
    const order = index % 2 === 0 ? sockets : [...sockets].reverse();
    for (const socket of order) {
      const started = performance.now();
      await bounded(round(socket), `${name}, ${socket}`);
      rates[socket]?.push((batch * operations) / ((performance.now() - started) / 1000));
    }
  }
  for (const socket of sockets) {
    const sorted = [...(rates[socket] ?? [])].sort((a, b) => a - b);
    const median = /** @type {number} */ (sorted[Math.floor(sorted.length / 2)]);
    const line = { runtime, socket, id, workload: name, operations, opsPerSec: Math.round(median) };
    console.log(JSON.stringify({ ...line, rounds: rates[socket]?.map(Math.round) }));
  }
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

/**
 * One value per module, made by `make`; `close` is called on each afterwards, however it went.
 * @template T
 * @param {(socket: string) => Promise<T> | T} make
 * @param {(value: T) => Promise<void> | void} close
 * @param {(each: Record<string, T>) => Promise<void>} body
 */
async function perSocket(make, close, body) {
  /** @type {Record<string, T>} */
  const made = {};
  try {
    for (const socket of sockets) made[socket] = await make(socket);
    await body(made);
  } finally {
    for (const value of Object.values(made)) await close(value);
  }
}

if (only.has("redis")) {
  if (flags.redis === undefined && !redisInstalled())
    throw new Error("redis-server is not installed");
  const server = await serverAt(flags.redis, startRedis);
  try {
    const keys = 1_000;
    const gets = 10_000;
    await perSocket(
      async (socket) => {
        const client = new Redis({
          host: server.host,
          port: server.port,
          Connector: hooksOf[socket].IoredisConnector,
          maxRetriesPerRequest: 0,
        });
        await client.mset(
          Object.fromEntries(Array.from({ length: keys }, (_, i) => [`k${i}`, `v${i}`])),
        );
        return client;
      },
      (client) => client.disconnect(),
      (clients) =>
        measure(
          "redis",
          gets,
          Object.fromEntries(
            Object.entries(clients).map(([socket, client]) => [
              socket,
              async () => {
                const pipeline = client.pipeline();
                for (let index = 0; index < gets; index++) pipeline.get(`k${index % keys}`);
                const results = (await pipeline.exec()) ?? [];
                const wrong = results.filter(
                  ([error, value], index) => error || value !== `v${index % keys}`,
                );
                if (results.length !== gets || wrong.length > 0) {
                  throw new Error("wrong GET answers");
                }
              },
            ]),
          ),
        ),
    );
  } finally {
    await server.stop();
  }
}

if (only.has("postgres-pipelined") || only.has("postgres-serial")) {
  const server = await serverAt(flags.postgres, startPostgres);
  try {
    const rows = 1_000;
    const selects = 5_000;
    await perSocket(
      async (socket) => {
        // One connection: what is measured is that socket, not a pool spreading over several.
        // `socket` is documented in postgres.js's README ("Custom socket"), not in its types.
        const hook = { socket: hooksOf[socket].postgresJs };
        const sql = postgres({
          host: server.host,
          port: server.port,
          database: server.database,
          ...postgresUsers.admin,
          max: 1,
          onnotice: () => {},
          ...hook,
        });
        // The servers may be shared by several runs of this program (npm run bench).
        await sql`create table if not exists points (id int primary key, value text not null)`;
        await sql`insert into points select i, 'value-' || i from generate_series(0, ${rows - 1}) i
                  on conflict do nothing`;
        return sql;
      },
      (sql) => sql.end({ timeout: 5 }),
      async (clients) => {
        const each = (/** @type {(sql: postgres.Sql) => () => Promise<void>} */ round) =>
          Object.fromEntries(Object.entries(clients).map(([socket, sql]) => [socket, round(sql)]));
        /** @param {postgres.Sql} sql @param {number} index */
        const select = async (sql, index) => {
          const [row] = await sql`select value from points where id = ${index % rows}`;
          if (row?.value !== `value-${index % rows}`) throw new Error("wrong SELECT answer");
        };
        if (only.has("postgres-pipelined")) {
          await measure(
            "postgres-pipelined",
            selects,
            each((sql) => async () => {
              await Promise.all(Array.from({ length: selects }, (_, index) => select(sql, index)));
            }),
          );
        }
        if (only.has("postgres-serial")) {
          await measure(
            "postgres-serial",
            selects,
            each((sql) => async () => {
              for (let index = 0; index < selects; index++) await select(sql, index);
            }),
          );
        }
      },
    );
  } finally {
    await server.stop();
  }
}
