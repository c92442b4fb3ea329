// What the two PostgreSQL driver files share: the server, the plain and SSL variants of the
// workload, and the data they send.
import { postgresUsers, startPostgres } from "../src/servers/postgres.js";
import {
  caCert,
  pseudoRandomBytes,
  refusedCertificates,
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
 * SWITCH(tls): the drivers send SSLRequest on the hook's socket, then upgrade it with the
 * runtime's own tls.connect({ socket }); over omnisock that upgrade is omnisock's startTls.
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
 * Logins a variant must see refused: over SSL, the certificates verify-full refuses; in
 * plaintext, the SSL-only role (so that the SSL variant cannot pass without SSL).
 */
export function postgresRefusals(ssl: boolean, login: { user: string; password: string }) {
  if (ssl) {
    return refusedCertificates.map(({ name, ssl: wrong, why }) => ({
      name,
      options: { ...login, ssl: wrong },
      why,
    }));
  }
  return [
    {
      name: "ssl_only cannot log in without SSL",
      options: { ...postgresUsers.sslOnly },
      why: /pg_hba\.conf rejects connection/,
    },
  ];
}
