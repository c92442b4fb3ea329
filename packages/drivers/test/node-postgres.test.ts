// node-postgres (pg) against a real PostgreSQL, every socket (the client's, the listener's, the
// cancel request's) from the `stream` hook; plain, and over SSL with verify-full semantics, which
// the hook negotiates (SSLRequest, then omnisock's own TLS) with pg's `ssl` off.
import pg from "pg";
import { beforeAll, describe, expect } from "vitest";
import { failureOf, hooks, md5, pseudoRandomBytes, until, within, workload } from "./helpers.js";
import {
  badSslAnswers,
  insertedRows,
  insertedSummary,
  itemName,
  notifications,
  postgresForFile,
  postgresRefusals,
  postgresVariants,
  sleepingSql,
  sleepSql,
  sslUnavailable,
  sslUnavailableCase,
  summarySql,
  wrongSslServer,
} from "./postgres.js";

const server = postgresForFile();

/** The config of a client whose socket comes from the hook; `extra` picks user and SSL. */
const config = (extra: pg.ClientConfig): pg.ClientConfig => ({
  host: server().host,
  port: server().port,
  database: server().database,
  stream: hooks.nodePostgres,
  connectionTimeoutMillis: 10_000,
  ...extra,
});

/** A client that has not connected yet; errors after the case let go of it are not its. */
function client(extra: pg.ClientConfig) {
  const created = new pg.Client(config(extra));
  created.on("error", () => {});
  return created;
}

/** A connected client. */
async function connect(extra: pg.ClientConfig) {
  const connected = client(extra);
  await within(connected.connect(), 15_000, "pg connect");
  return connected;
}

/** pg's Client#cancel(client, query), which @types/pg leaves out. */
type Canceller = pg.Client & { cancel(client: pg.Client, query: pg.Query): void };

/** A login, through the SSL hook when `tls` is given (pg's own `ssl` stays off). */
const loginWith = (
  login: { user: string; password: string },
  tls: { ca: string; servername: string } | undefined,
): pg.ClientConfig => ({ ...login, ...(tls ? { stream: hooks.nodePostgresSsl(tls) } : {}) });

for (const postgresVariant of postgresVariants) {
  const { id, ssl } = postgresVariant;
  const unavailable = ssl ? sslUnavailable("node-postgres") : undefined;
  const title = `node-postgres, ${id}${unavailable ? ` (skipped: ${unavailable})` : ""}`;
  describe.skipIf(unavailable !== undefined)(title, () => variant(postgresVariant));
}

sslUnavailableCase("node-postgres", async () => {
  const refused = client(loginWith(postgresVariants[1].login, postgresVariants[1].tls));
  try {
    await refused.connect();
  } finally {
    await within(
      refused.end().catch(() => {}),
      5_000,
      "end",
    );
  }
});

function variant({ id, ssl, login, tls }: (typeof postgresVariants)[number]) {
  const options = () => loginWith(login, tls);
  const table = `pg_items_${id}`;
  const blobs = `pg_blobs_${id}`;
  let db: pg.Client;
  beforeAll(async () => {
    // Pipeline mode: pg writes queued queries back to back instead of one per round trip
    // (queueing on a busy client without it is deprecated since pg 8.2x).
    db = await connect({ ...options(), pipeline: true });
    await db.query(`drop table if exists ${table}, ${blobs}`);
    await db.query(`create table ${table} (id int primary key, name text not null, score float8)`);
    await db.query(`create table ${blobs} (id int primary key, body bytea not null)`);
    return () => within(db.end(), 5_000, "pg end");
  });

  workload("node-postgres", `${id}: the session is ${ssl ? "" : "not "}encrypted`, async () => {
    const { rows } = await db.query(
      "select ssl, version from pg_stat_ssl where pid = pg_backend_pid()",
    );
    expect(rows[0]?.ssl).toBe(ssl);
    if (ssl) expect(rows[0]?.version).toMatch(/^TLSv1\.[23]$/);
    expect(hooks.calls["node-postgres"]).toBeGreaterThan(0);
  });

  workload("node-postgres", `${id}: the schema is there`, async () => {
    const { rows } = await db.query(
      `select column_name, data_type from information_schema.columns
       where table_name = $1 order by ordinal_position`,
      [table],
    );
    expect(rows.map((column) => [column.column_name, column.data_type])).toEqual([
      ["id", "integer"],
      ["name", "text"],
      ["score", "double precision"],
    ]);
  });

  workload("node-postgres", `${id}: 10,000 inserts in one transaction`, async () => {
    const inserts = [db.query("begin")];
    for (let index = 0; index < insertedRows; index++) {
      const values = [index, itemName(index), index / 2];
      inserts.push(db.query(`insert into ${table} values ($1, $2, $3)`, values));
    }
    inserts.push(db.query("commit"));
    await within(Promise.all(inserts), 45_000, "10,000 inserts");
    const { rows } = await db.query(summarySql(table));
    expect(rows[0]).toEqual(insertedSummary(md5));

    // A rolled-back transaction leaves nothing behind.
    await db.query("begin");
    await db.query(`insert into ${table} values ($1, 'rolled back', 0)`, [insertedRows]);
    await db.query("rollback");
    const { rows: after } = await db.query(`select count(*)::int as count from ${table}`);
    expect(after[0]?.count).toBe(insertedRows);
  });

  // pg itself has no COPY (that is pg-copy-streams; postgres.js covers COPY): 1 MiB goes in and
  // comes back out as one bytea parameter and one row instead, checksummed on both sides.
  workload("node-postgres", `${id}: 1 MiB in one parameter and back`, async () => {
    const body = pseudoRandomBytes(1024 * 1024, `pg-${id}`);
    await db.query(`insert into ${blobs} values (1, $1)`, [body]);
    const { rows } = await db.query(`select body, md5(body) as digest from ${blobs} where id = 1`);
    expect(rows[0]?.digest).toBe(md5(body));
    expect(Buffer.compare(rows[0]?.body as Buffer, body)).toBe(0);
  });

  workload("node-postgres", `${id}: LISTEN/NOTIFY, 200 notifications in order`, async () => {
    const channel = `pg_events_${id}`;
    const before = hooks.calls["node-postgres"];
    const listener = await connect(options());
    try {
      expect(hooks.calls["node-postgres"]).toBe(before + 1);
      const received: string[] = [];
      listener.on("notification", (message) => {
        if (message.channel === channel) received.push(message.payload ?? "");
      });
      await listener.query(`listen ${channel}`);
      const sent = notifications(id);
      const notifies = sent.map((payload) =>
        db.query("select pg_notify($1, $2)", [channel, payload]),
      );
      await within(Promise.all(notifies), 10_000, "200 NOTIFYs");
      await until(() => received.length >= sent.length, 10_000, "200 notifications");
      expect(received).toEqual(sent);
    } finally {
      await within(listener.end(), 5_000, "listener end");
    }
  });

  workload("node-postgres", `${id}: a query cancelled through the hook stops at once`, async () => {
    const victim = await connect(options());
    try {
      const sleep = new pg.Query(sleepSql);
      const outcome = failureOf(
        new Promise((resolve, reject) => {
          sleep.on("error", reject);
          sleep.on("end", resolve);
        }),
        20_000,
        "the sleep",
      );
      victim.query(sleep);
      await until(
        async () => (await db.query(sleepingSql)).rows[0]?.count === 1,
        10_000,
        "the sleep to run",
      );
      const before = hooks.calls["node-postgres"];
      const started = performance.now();
      // pg's cancel: a new client with the same config (so the same hook) sends CancelRequest,
      // over SSL in the SSL variant since the hook negotiates it (pg's own `ssl` would send it
      // in plaintext).
      (client(options()) as Canceller).cancel(victim, sleep);
      expect(await outcome).toMatch(/57014|canceling statement due to user request/);
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(hooks.calls["node-postgres"]).toBe(before + 1);
      const { rows } = await victim.query("select 41 + 1 as answer");
      expect(rows[0]?.answer).toBe(42);
    } finally {
      await within(victim.end(), 5_000, "victim end");
    }
  });

  const refusals = postgresRefusals(ssl, login);
  for (const refusal of refusals) {
    workload("node-postgres", `${id}: ${refusal.name}`, async () => {
      const refused = client(loginWith(refusal.login, refusal.tls));
      try {
        expect(await failureOf(refused.connect(), 15_000, "the refused login")).toMatch(
          refusal.why,
        );
      } finally {
        await within(
          refused.end().catch(() => {}),
          5_000,
          "end",
        );
      }
    });
  }

  if (!ssl) return;
  for (const bad of badSslAnswers) {
    workload("node-postgres", `${id}: ${bad.name}`, async () => {
      const wrong = await wrongSslServer(bad.answer);
      const before = hooks.calls["node-postgres"];
      const refused = client({ ...options(), port: wrong.port });
      try {
        expect(await failureOf(refused.connect(), 15_000, "the refused login")).toMatch(bad.why);
        expect(hooks.calls["node-postgres"]).toBe(before + 1);
      } finally {
        await within(
          refused.end().catch(() => {}),
          5_000,
          "end",
        );
        await wrong.close();
      }
    });
  }
}
