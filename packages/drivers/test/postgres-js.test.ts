// postgres.js against a real PostgreSQL, every socket (the pool's, LISTEN's, the cancel
// request's) from the `socket` hook; plain, and over SSL with verify-full semantics, which the
// hook negotiates (SSLRequest, then omnisock's own TLS) with postgres.js's `ssl` off.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import * as omnisockNet from "omnisock/net";
import postgres from "postgres";
import { beforeAll, describe, expect } from "vitest";
import { failureOf, hooks, md5, sha256, until, within, workload } from "./helpers.js";
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

type Sql = ReturnType<typeof postgres>;

/** A client whose every connection comes from the hook; `extra` picks user and SSL. */
function connect(extra: postgres.Options<{}>): Sql {
  // `socket` is documented in postgres.js's README ("Custom socket") but not in its types.
  const hook = { socket: hooks.postgresJs };
  return postgres({
    host: server().host,
    port: server().port,
    database: server().database,
    max: 4,
    connect_timeout: 10,
    onnotice: () => {},
    ...hook,
    ...extra,
  });
}

/** A login, through the SSL hook when `tls` is given (postgres.js's own `ssl` stays off). */
const loginWith = (
  login: { user: string; password: string },
  tls: { ca: string; servername: string } | undefined,
) => ({ ...login, ...(tls ? { socket: hooks.postgresJsSsl(tls) } : {}) });

for (const postgresVariant of postgresVariants) {
  const { id, ssl } = postgresVariant;
  const unavailable = ssl ? sslUnavailable("postgres.js") : undefined;
  const title = `postgres.js, ${id}${unavailable ? ` (skipped: ${unavailable})` : ""}`;
  describe.skipIf(unavailable !== undefined)(title, () => variant(postgresVariant));
}

sslUnavailableCase("postgres.js", async () => {
  const sql = connect({ ...loginWith(postgresVariants[1].login, postgresVariants[1].tls), max: 1 });
  try {
    await sql`select 1`;
  } finally {
    await sql.end({ timeout: 1 });
  }
});

function variant({ id, ssl, login, tls }: (typeof postgresVariants)[number]) {
  const options = () => loginWith(login, tls);
  const table = `items_${id}`;
  const copyTable = `copied_${id}`;
  let sql: Sql;
  beforeAll(async () => {
    sql = connect(options());
    await sql`drop table if exists ${sql(table)}, ${sql(copyTable)}`;
    await sql`create table ${sql(table)} (id int primary key, name text not null, score float8)`;
    await sql`create table ${sql(copyTable)} (id int primary key, body text not null)`;
    return () => sql.end({ timeout: 5 });
  });

  workload("postgres.js", `${id}: the session is ${ssl ? "" : "not "}encrypted`, async () => {
    const [row] = await sql`select ssl, version from pg_stat_ssl where pid = pg_backend_pid()`;
    expect(row?.ssl).toBe(ssl);
    if (ssl) expect(row?.version).toMatch(/^TLSv1\.[23]$/);
    expect(hooks.calls["postgres.js"]).toBeGreaterThan(0);
    if (!tls) return;
    // What the SSL hook hands postgres.js: the socket module's own TLS socket, verified.
    const target = { host: [server().host], port: [server().port] };
    const secure = await within(hooks.postgresJsSsl(tls)(target), 10_000, "the SSL hook");
    try {
      expect(secure).toMatchObject({ encrypted: true, authorized: true });
      if (hooks.modules["postgres.js"] === "omnisock/net") {
        expect(secure).toBeInstanceOf(omnisockNet.TLSSocket);
      }
    } finally {
      secure.destroy();
    }
  });

  workload("postgres.js", `${id}: the schema is there`, async () => {
    const columns = await sql`
      select column_name, data_type from information_schema.columns
      where table_name = ${table} order by ordinal_position`;
    expect(columns.map((c) => [c.column_name, c.data_type])).toEqual([
      ["id", "integer"],
      ["name", "text"],
      ["score", "double precision"],
    ]);
  });

  workload("postgres.js", `${id}: 10,000 inserts in one transaction`, async () => {
    await within(
      sql.begin(async (tx) => {
        // Not awaited one by one: postgres.js pipelines them on the transaction's connection.
        const inserts = [];
        for (let index = 0; index < insertedRows; index++) {
          inserts.push(
            tx`insert into ${tx(table)} values (${index}, ${itemName(index)}, ${index / 2})`,
          );
        }
        await Promise.all(inserts);
      }),
      45_000,
      "10,000 inserts",
    );
    const [summary] = await sql.unsafe(summarySql(table));
    expect(summary).toEqual(insertedSummary(md5));

    // A transaction that throws leaves nothing behind.
    const failed = sql.begin(async (tx) => {
      await tx`insert into ${tx(table)} values (${insertedRows}, 'rolled back', 0)`;
      throw new Error("roll it back");
    });
    await expect(failed).rejects.toThrow("roll it back");
    const [after] = await sql`select count(*)::int as count from ${sql(table)}`;
    expect(after?.count).toBe(insertedRows);
  });

  workload("postgres.js", `${id}: COPY 1 MiB in and out`, async () => {
    // Lines "<id>\t<64 hex digits>\n" up to 1 MiB, streamed in 64 KiB chunks.
    const lines: string[] = [];
    let size = 0;
    for (let index = 0; size < 1024 * 1024; index++) {
      const line = `${index}\t${sha256(`${id}-${index}`)}\n`;
      lines.push(line);
      size += line.length;
    }
    const sent = Buffer.from(lines.join(""));
    const chunks = Array.from({ length: Math.ceil(sent.length / 65_536) }, (_, index) =>
      sent.subarray(index * 65_536, (index + 1) * 65_536),
    );
    const writable = await sql`copy ${sql(copyTable)} (id, body) from stdin`.writable();
    await within(pipeline(Readable.from(chunks), writable), 20_000, "COPY FROM STDIN");

    const [count] = await sql`select count(*)::int as count from ${sql(copyTable)}`;
    expect(count?.count).toBe(lines.length);

    // COPY TO STDOUT on a client of its own, ended afterwards: postgres.js can leave the
    // connection's socket paused after a COPY out whose last data and CopyDone share a chunk,
    // and the next query on it then hangs (porsager/postgres#499, fix in PR #1016). Not a
    // runtime's bug: it happens over every socket, Node's own included.
    const copier = connect({ ...options(), max: 1 });
    const received: Buffer[] = [];
    try {
      await within(
        (async () => {
          const query = copier`copy (select id, body from ${copier(copyTable)} order by id) to stdout`;
          for await (const chunk of await query.readable()) received.push(Buffer.from(chunk));
        })(),
        20_000,
        "COPY TO STDOUT",
      );
    } finally {
      await copier.end({ timeout: 1 });
    }
    const back = Buffer.concat(received);
    expect(back.length).toBe(sent.length);
    expect(sha256(back)).toBe(sha256(sent));
  });

  workload("postgres.js", `${id}: LISTEN/NOTIFY, 200 notifications in order`, async () => {
    const channel = `events_${id}`;
    const received: string[] = [];
    const before = hooks.calls["postgres.js"];
    const listening = await within(
      sql.listen(channel, (payload) => received.push(payload)),
      10_000,
      "LISTEN",
    );
    // LISTEN runs on a connection of its own, which the hook made too.
    expect(hooks.calls["postgres.js"]).toBeGreaterThan(before);
    const sent = notifications(id);
    await within(
      (async () => {
        for (const payload of sent) await sql.notify(channel, payload);
      })(),
      10_000,
      "200 NOTIFYs",
    );
    await until(() => received.length >= sent.length, 10_000, "200 notifications");
    expect(received).toEqual(sent);
    await within(listening.unlisten(), 5_000, "UNLISTEN");
  });

  workload("postgres.js", `${id}: a query cancelled through the hook stops at once`, async () => {
    const sleep = sql.unsafe(sleepSql);
    const outcome = failureOf(sleep, 20_000, "the sleep");
    await until(
      async () => (await sql.unsafe(sleepingSql))[0]?.count === 1,
      10_000,
      "the sleep to run",
    );
    const before = hooks.calls["postgres.js"];
    const started = performance.now();
    sleep.cancel();
    expect(await outcome).toMatch(/57014|canceling statement due to user request/);
    expect(performance.now() - started).toBeLessThan(10_000);
    // The CancelRequest went over a connection of its own, from the hook.
    expect(hooks.calls["postgres.js"]).toBe(before + 1);
    // The connection that ran it is still good.
    const [row] = await sql`select 41 + 1 as answer`;
    expect(row?.answer).toBe(42);
  });

  workload(
    "postgres.js",
    `${id}: a connection the server ends is replaced through the hook`,
    async () => {
      // Whether each socket this client was given has closed (its 'close' listener is added
      // before postgres.js's, which runs in the same emit).
      const closed: boolean[] = [];
      const hook = options().socket ?? hooks.postgresJs;
      const socket = async (given: Parameters<typeof hooks.postgresJs>[0]) => {
        const made = await hook(given);
        const index = closed.push(false) - 1;
        made.once("close", () => (closed[index] = true));
        return made;
      };
      const single = connect({ ...options(), socket, max: 1 } as postgres.Options<{}>);
      try {
        const [first] = await single`select pg_backend_pid() as pid`;
        const before = hooks.calls["postgres.js"];
        const [ended] = await sql`select pg_terminate_backend(${first?.pid}) as ended`;
        expect(ended?.ended).toBe(true);
        // The next query waits for postgres.js to see the connection close: one written while
        // the close is on its way can hang for good, over any socket (node:net's too), because
        // postgres.js 3.4.9 cancels its pending write without forgetting it, so the next
        // connection's startup is never sent (porsager/postgres#1208, PR #1215).
        await until(() => closed[0] === true, 10_000, "the terminated connection to close");
        // The next query finds the connection closed, and postgres.js opens another.
        const second = await within(
          (async () => {
            for (let attempt = 0; attempt < 50; attempt++) {
              try {
                return (await single`select pg_backend_pid() as pid`)[0];
              } catch {
                await new Promise((resolve) => setTimeout(resolve, 20));
              }
            }
            throw new Error("no query succeeded after 50 tries");
          })(),
          10_000,
          "a query after the termination",
        );
        expect(second?.pid).not.toBe(first?.pid);
        expect(hooks.calls["postgres.js"]).toBe(before + 1);
      } finally {
        await single.end({ timeout: 1 });
      }
    },
  );

  const refusals = postgresRefusals(ssl, login);
  for (const refusal of refusals) {
    workload("postgres.js", `${id}: ${refusal.name}`, async () => {
      const refused = connect({ ...loginWith(refusal.login, refusal.tls), max: 1 });
      try {
        expect(await failureOf(refused`select 1`, 15_000, "the refused login")).toMatch(
          refusal.why,
        );
      } finally {
        await refused.end({ timeout: 1 });
      }
    });
  }

  if (!ssl) return;
  for (const bad of badSslAnswers) {
    workload("postgres.js", `${id}: ${bad.name}`, async () => {
      const wrong = await wrongSslServer(bad.answer);
      const before = hooks.calls["postgres.js"];
      const refused = connect({ ...options(), port: wrong.port, max: 1 });
      try {
        expect(await failureOf(refused`select 1`, 15_000, "the refused login")).toMatch(bad.why);
        expect(hooks.calls["postgres.js"]).toBeGreaterThan(before);
      } finally {
        await refused.end({ timeout: 1 });
        await wrong.close();
      }
    });
  }
}
