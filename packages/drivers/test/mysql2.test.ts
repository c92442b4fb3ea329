// mysql2 against a real MariaDB, its socket from the `stream` hook; plain, and over TLS.
// Skipped, saying why, where MariaDB is not installed, except in CI.
import mysql from "mysql2/promise";
import { describe, expect } from "vitest";
import { mariadbInstalled, mariadbUser, startMariadb } from "../src/servers/mariadb.js";
import {
  caCert,
  hooks,
  failureOf,
  md5,
  refusedCertificates,
  serverCert,
  serverForFile,
  serverInstalled,
  serverKey,
  within,
  workload,
} from "./helpers.js";

const missing = "MariaDB is not installed (apt-get install -y mariadb-server; .ci/run does)";
const installed = serverInstalled(mariadbInstalled(), missing);

describe.skipIf(!installed)(installed ? "mysql2" : `mysql2 (skipped: ${missing})`, () => {
  const server = serverForFile(
    () => startMariadb({ tls: { cert: serverCert, key: serverKey } }),
    (mariadb) =>
      `mariadb: install-db ${mariadb.initMs.toFixed(0)} ms, start ${mariadb.startMs.toFixed(0)} ms`,
  );

  /** A connection on the hook, closed by the case. */
  async function connect(ssl?: { ca: string; servername?: string }) {
    const before = hooks.calls.mysql2;
    const connection = await within(
      mysql.createConnection({
        host: server().host,
        port: server().port,
        ...mariadbUser,
        stream: hooks.mysql2,
        connectTimeout: 10_000,
        ...(ssl ? { ssl } : {}),
      }),
      15_000,
      "mysql2 connect",
    );
    expect(hooks.calls.mysql2).toBe(before + 1);
    return connection;
  }

  for (const tls of [false, true]) {
    const id = tls ? "tls" : "plain";
    // mysql2 negotiates TLS inside its own handshake and upgrades the hook's socket with the
    // runtime's tls.connect({ socket, secureContext }): the runtime's node:tls over omnisock/net's
    // Duplex (see the README). No hook can do it for mysql2: the upgrade sits between two of
    // its handshake packets, whose sequence numbers it counts itself.
    const ssl = tls ? { ca: caCert } : undefined;

    workload("mysql2", `${id}: queries, prepared statements and 10,000 rows`, async () => {
      const connection = await connect(ssl);
      try {
        const [cipher] = await connection.query<mysql.RowDataPacket[]>(
          "show session status like 'Ssl_cipher'",
        );
        if (tls) expect(cipher[0]?.Value).toMatch(/\w/);
        else expect(cipher[0]?.Value).toBe("");
        const [[version]] = await connection.query<mysql.RowDataPacket[]>(
          "select version() as version",
        );
        expect(version?.version).toMatch(/MariaDB/);
        const [[sum]] = await connection.execute<mysql.RowDataPacket[]>(
          "select ? + ? as total",
          [40, 2],
        );
        expect(Number(sum?.total)).toBe(42);
        // MariaDB stops a recursive CTE after 1,000 rounds unless told otherwise.
        await connection.query("set session max_recursive_iterations = 100000");
        const [rows] = await connection.query<mysql.RowDataPacket[]>(
          `with recursive numbers (n) as (select 1 union all select n + 1 from numbers where n < 10000)
           select n, concat('row-', n) as name from numbers`,
        );
        expect(rows).toHaveLength(10_000);
        expect(rows.map((row) => row.name).join(",")).toBe(
          Array.from({ length: 10_000 }, (_, index) => `row-${index + 1}`).join(","),
        );
      } finally {
        await within(connection.end(), 5_000, "mysql2 end");
      }
    });

    workload("mysql2", `${id}: a committed and a rolled-back transaction`, async () => {
      const connection = await connect(ssl);
      const table = `items_${id}`;
      try {
        await connection.query(`drop table if exists ${table}`);
        await connection.query(
          `create table ${table} (id int primary key, name varchar(64) not null) engine=InnoDB`,
        );
        const rows = Array.from({ length: 1_000 }, (_, index) => [index, `item-${index}`]);
        await connection.beginTransaction();
        const [inserted] = await connection.query<mysql.ResultSetHeader>(
          `insert into ${table} values ?`,
          [rows],
        );
        expect(inserted.affectedRows).toBe(1_000);
        await connection.commit();

        await connection.beginTransaction();
        await connection.query(`insert into ${table} values (?, ?)`, [1_000, "rolled back"]);
        await connection.query(`delete from ${table} where id < 500`);
        await connection.rollback();

        const [[summary]] = await connection.query<mysql.RowDataPacket[]>(
          `select count(*) as count, sum(id) as total, md5(group_concat(name order by id separator ',')) as digest
           from ${table}`,
        );
        expect(Number(summary?.count)).toBe(1_000);
        expect(Number(summary?.total)).toBe((1_000 * 999) / 2);
        expect(summary?.digest).toBe(md5(rows.map(([, name]) => name).join(",")));
      } finally {
        await within(connection.end(), 5_000, "mysql2 end");
      }
    });
  }

  // Only the CA: mysql2 checks the name only with `verifyIdentity` and a host name, and these
  // cases connect to 127.0.0.1.
  for (const refusal of refusedCertificates.slice(0, 1)) {
    workload("mysql2", `tls: ${refusal.name}`, async () => {
      const opened = connect(refusal.ssl);
      // Whatever connected by mistake is closed again; the case has failed already.
      opened.then(
        (connection) => connection.end(),
        () => {},
      );
      expect(await failureOf(opened, 15_000, "the refused login")).toMatch(refusal.why);
    });
  }
});
