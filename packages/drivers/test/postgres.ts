// What the two PostgreSQL driver files share: the server, the plain and SSL variants of the
// workload, the data they send, and the servers that answer SSLRequest wrongly.
import { listen } from "omnisock";
import { describe, expect, it } from "vitest";
import { postgresUsers, startPostgres } from "../src/servers/postgres.js";
import type { Driver } from "../src/socket-factory.js";
import {
  caCert,
  failureOf,
  hooks,
  pseudoRandomBytes,
  refusedCertificates,
  runtime,
  serverCert,
  serverForFile,
  serverKey,
} from "./helpers.js";

/** A PostgreSQL with `ssl = on`, for the calling file's cases. */
export const postgresForFile = () =>
  serverForFile(
    () => startPostgres({ tls: { cert: serverCert, key: serverKey } }),
    (server) =>
      `postgres: initdb ${server.initMs.toFixed(0)} ms, start ${server.startMs.toFixed(0)} ms`,
  );

/**
 * The same workload runs plain and over SSL. The SSL variant logs in as the role that
 * pg_hba.conf refuses without SSL, and verifies as verify-full does: the test CA, and the name.
 * The hook negotiates SSL (SSLRequest, then the socket module's upgrade: omnisock's startTls) and
 * the driver's own `ssl` is off: `tls` is what the hook verifies.
 */
export const postgresVariants = [
  { id: "plain", ssl: false, login: postgresUsers.admin, tls: undefined },
  {
    id: "ssl",
    ssl: true,
    login: postgresUsers.sslOnly,
    tls: { ca: caCert, servername: "localhost" },
  },
] as const;

/** What 10,000 inserts write: row i is (i, "item-i", i / 2). */
export const insertedRows = 10_000;
export const itemName = (index: number) => `item-${index}`;
/** The summary query's expected answer for them (sums as text: they are numeric/bigint). */
export const insertedSummary = (digest: (text: string) => string) => ({
  count: insertedRows,
  sum: String((insertedRows * (insertedRows - 1)) / 2),
  scores: String((insertedRows * (insertedRows - 1)) / 4),
  digest: digest(Array.from({ length: insertedRows }, (_, index) => itemName(index)).join(",")),
});
/** The summary query, over a table of (id, name, score). */
export const summarySql = (table: string) =>
  `select count(*)::int as count, sum(id)::text as sum, sum(score)::text as scores,
          md5(string_agg(name, ',' order by id)) as digest
   from ${table}`;

/** 200 NOTIFY payloads, each different. */
export const notifications = (id: string) =>
  Array.from(
    { length: 200 },
    (_, index) => `${id}-${index}-${pseudoRandomBytes(16, `${index}`).toString("hex")}`,
  );

/** Counts the backends running the 30 s sleep that the cancel cases cancel. */
export const sleepSql = "select pg_sleep(30) as slept";
export const sleepingSql = `select count(*)::int as count from pg_stat_activity
  where state = 'active' and query like '%pg_sleep(30)%' and pid <> pg_backend_pid()`;

/**
 * Logins a variant must see refused: over SSL, the certificates verify-full refuses (`tls`, for
 * the hook); in plaintext, the SSL-only role (so that the SSL variant cannot pass without SSL).
 */
export function postgresRefusals(ssl: boolean, login: { user: string; password: string }) {
  if (ssl) {
    return refusedCertificates.map(({ name, ssl: wrong, why }) => ({
      name,
      login,
      tls: wrong,
      why,
    }));
  }
  return [
    {
      name: "ssl_only cannot log in without SSL",
      login: postgresUsers.sslOnly,
      tls: undefined,
      why: /pg_hba\.conf rejects connection/,
    },
  ];
}

/**
 * Servers that answer SSLRequest with something other than the lone byte "S": the hook must
 * refuse each before any TLS (and before the driver sends a byte of its own).
 */
export const badSslAnswers = [
  {
    name: "an answer with plaintext after the S is refused (CVE-2021-23222)",
    answer: "S\x00\x00\x00\x0cinjected",
    why: /plaintext followed the server's "S"|refusing to start TLS/,
  },
  {
    name: "a server that answers N is refused, not used in plaintext",
    answer: "N",
    why: /does not support SSL/,
  },
];

/**
 * A server on 127.0.0.1 that reads SSLRequest, answers `answer` in one write, and keeps the
 * connection open; closed when the file is done. Returns its port.
 */
export async function wrongSslServer(
  answer: string,
): Promise<{ port: number; close(): Promise<void> }> {
  const server = await listen({ hostname: "127.0.0.1", port: 0 }, async (socket) => {
    try {
      for await (const chunk of socket) {
        if (chunk.byteLength > 0) break;
      }
      socket.write(answer);
      // Held open: a refusal must come from the client, not from a closed connection.
      for await (const _ of socket);
    } catch {
      // The client's reset is the expected end.
    }
  });
  const { address } = server;
  if (address.transport === "unix") throw new Error("a TCP server was asked for");
  return { port: address.port, close: () => server.close({ graceful: false }) };
}

/**
 * Why the SSL variant cannot run here, or undefined when it can: omnisock's upgrade is
 * `capabilities.tlsUpgrade`, false where the runtime cannot start TLS on a connected socket.
 */
export function sslUnavailable(driver: Driver): string | undefined {
  return hooks.canUpgrade(driver)
    ? undefined
    : `capabilities.tlsUpgrade is false on ${runtime}: omnisock cannot start TLS on a connected socket here`;
}

/**
 * Where the upgrade is missing, the SSL hook says so: ENOTSUP, never a plaintext fallback.
 * `connect` logs in as the SSL-only role through the driver's SSL hook.
 */
export function sslUnavailableCase(driver: Driver, connect: () => Promise<unknown>): void {
  const why = sslUnavailable(driver);
  describe.runIf(why !== undefined)(`${driver}, ssl (${why})`, () => {
    it("the SSL hook refuses with ENOTSUP (capabilities.tlsUpgrade)", async () => {
      expect(await failureOf(connect(), 15_000, "a login through the SSL hook")).toMatch(
        /^ENOTSUP /,
      );
    });
  });
}
