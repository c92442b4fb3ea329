// @ts-check
// MariaDB from Debian's packages (.ci/run installs it), in a temp datadir, on 127.0.0.1, with
// TLS on when given a certificate. It runs as root where the tests do (--user=root), unlike
// PostgreSQL.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { isRoot, onPath, runToEnd, startInTempDir } from "./process.js";

/** Whether mariadbd and its installer are there; without them the mysql2 cases are skipped. */
export const mariadbInstalled = () => onPath("mariadbd") && onPath("mariadb-install-db");

/** The account the tests log in with, and its database. */
export const mariadbUser = {
  user: "omnisock",
  password: "omnisock-test-password",
  database: "omnisock",
};

// Small InnoDB files: the defaults (a 96 MiB redo log) cost disk and time for nothing here.
const small = ["--innodb-log-file-size=8M", "--innodb-buffer-pool-size=16M"];

/** @param {{ tls?: { cert: string, key: string } }} [options] */
export function startMariadb({ tls } = {}) {
  return startInTempDir("mariadb", (dir) => {
    const data = join(dir, "data");
    const asRoot = isRoot() ? ["--user=root"] : [];
    const initStarted = performance.now();
    runToEnd("mariadb-install-db", [
      "--no-defaults",
      `--datadir=${data}`,
      ...asRoot,
      "--skip-test-db",
      "--auth-root-authentication-method=socket",
      "--skip-name-resolve",
      ...small,
    ]);
    const initMs = performance.now() - initStarted;
    // Run at every start, before the server takes connections.
    const init = join(dir, "init.sql");
    const { user, password, database } = mariadbUser;
    writeFileSync(
      init,
      [
        `CREATE DATABASE IF NOT EXISTS ${database};`,
        `CREATE USER IF NOT EXISTS '${user}'@'127.0.0.1' IDENTIFIED BY '${password}';`,
        `GRANT ALL ON ${database}.* TO '${user}'@'127.0.0.1';`,
        "",
      ].join("\n"),
    );
    const ssl = tls
      ? [
          `--ssl-cert=${privateFile(dir, "server.crt", tls.cert)}`,
          `--ssl-key=${privateFile(dir, "server.key", tls.key)}`,
        ]
      : [];
    return {
      initMs,
      /** @param {number} port */
      serve: (port) => ({
        name: "mariadbd",
        command: "mariadbd",
        args: [
          "--no-defaults",
          `--datadir=${data}`,
          ...asRoot,
          `--init-file=${init}`,
          "--bind-address=127.0.0.1",
          `--port=${port}`,
          `--socket=${join(dir, "sock")}`,
          `--pid-file=${join(dir, "pid")}`,
          "--skip-name-resolve",
          "--skip-log-bin",
          ...small,
          ...ssl,
        ],
        ready: /ready for connections/,
      }),
    };
  });
}

/** @typedef {Awaited<ReturnType<typeof startMariadb>>} MariadbServer */

/**
 * @param {string} dir
 * @param {string} name
 * @param {string} content
 */
function privateFile(dir, name, content) {
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}
