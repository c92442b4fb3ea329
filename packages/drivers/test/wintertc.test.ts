// The WinterTC entry: small PostgreSQL and Redis clients written only against omnisock/sockets'
// `connect()` (src/wintertc/), against the same real servers as the drivers, on every runtime.
import { capabilities } from "omnisock";
import { describe, expect, it } from "vitest";
import { postgresUsers } from "../src/servers/postgres.js";
import { redisInstalled, startRedis } from "../src/servers/redis.js";
import { connectPostgres, type PostgresOptions } from "../src/wintertc/postgres.js";
import { connectRedis, encodeCommand } from "../src/wintertc/redis.js";
import {
  caCert,
  failureOf,
  refusedCertificates,
  runtime,
  serverForFile,
  serverInstalled,
  within,
} from "./helpers.js";
import { badSslAnswers, postgresForFile, wrongSslServer } from "./postgres.js";

describe("WinterTC connect(): PostgreSQL", () => {
  const server = postgresForFile();
  const options = (extra: Partial<PostgresOptions> = {}): PostgresOptions => ({
    hostname: server().host,
    port: server().port,
    database: server().database,
    ...postgresUsers.admin,
    ...extra,
  });
  /** Runs `body` on a logged-in client, closed afterwards. */
  async function session(
    extra: Partial<PostgresOptions>,
    body: (client: Awaited<ReturnType<typeof connectPostgres>>) => Promise<void>,
  ) {
    const client = await within(connectPostgres(options(extra)), 10_000, "the login");
    try {
      await body(client);
    } finally {
      await within(client.close(), 5_000, "close");
    }
  }

  it("logs in with SCRAM-SHA-256 and runs queries", async () => {
    await session({}, async (client) => {
      expect(client.authentication).toBe("SCRAM-SHA-256");
      const rows = await client.query(
        "select 41 + 1 as answer, current_user as who, null as nothing, ssl from pg_stat_ssl where pid = pg_backend_pid()",
      );
      expect(rows).toEqual([{ answer: "42", who: "postgres", nothing: null, ssl: "f" }]);
      // Several statements: the last one's rows; then a server error, with its SQLSTATE.
      await client.query("create temporary table wintertc (id int, name text)");
      await client.query(
        "insert into wintertc select i, 'name-' || i from generate_series(1, 1000) i",
      );
      const [summary] = await client.query(
        "select count(*) as count, md5(string_agg(name, ',' order by id)) as digest from wintertc",
      );
      expect(summary?.count).toBe("1000");
      expect(summary?.digest).toMatch(/^[0-9a-f]{32}$/);
      await expect(client.query("select 1 / 0")).rejects.toMatchObject({ code: "22012" });
      // The connection is still good after the error.
      expect(await client.query("select 'still here' as state")).toEqual([{ state: "still here" }]);
    });
  });

  it("a wrong password is refused (28P01)", async () => {
    const refused = connectPostgres(options({ password: "not-the-password" }));
    expect(await failureOf(refused, 10_000, "the wrong password")).toMatch(
      /28P01|password authentication failed/,
    );
  });

  it("ssl_only cannot log in without SSL", async () => {
    const refused = connectPostgres(options(postgresUsers.sslOnly));
    expect(await failureOf(refused, 10_000, "the plaintext login")).toMatch(
      /pg_hba\.conf rejects connection/,
    );
  });

  const tls = { ca: caCert, servername: "localhost" };
  const noUpgrade = `capabilities.tlsUpgrade is false on ${runtime}: omnisock cannot start TLS on a connected socket here`;
  describe.skipIf(!capabilities.tlsUpgrade)(
    capabilities.tlsUpgrade ? "SSL via secureTransport: starttls" : `SSL (skipped: ${noUpgrade})`,
    () => {
      it("SSLRequest, then startTls(): ssl_only logs in, pg_stat_ssl says TLS", async () => {
        await session({ ...postgresUsers.sslOnly, ssl: tls }, async (client) => {
          expect(client.authentication).toBe("SCRAM-SHA-256");
          const [row] = await client.query(
            "select ssl, version from pg_stat_ssl where pid = pg_backend_pid()",
          );
          expect(row?.ssl).toBe("t");
          expect(row?.version).toMatch(/^TLSv1\.[23]$/);
        });
      });

      for (const refusal of refusedCertificates) {
        it(refusal.name, async () => {
          const refused = connectPostgres(options({ ...postgresUsers.sslOnly, ssl: refusal.ssl }));
          expect(await failureOf(refused, 10_000, "the refused handshake")).toMatch(refusal.why);
        });
      }

      for (const bad of badSslAnswers) {
        it(bad.name, async () => {
          const wrong = await wrongSslServer(bad.answer);
          try {
            const refused = connectPostgres(options({ port: wrong.port, ssl: tls }));
            expect(await failureOf(refused, 10_000, "the refused answer")).toMatch(bad.why);
          } finally {
            await wrong.close();
          }
        });
      }
    },
  );

  describe.runIf(!capabilities.tlsUpgrade)(`SSL (${noUpgrade})`, () => {
    it("startTls() leaves opened rejected with ENOTSUP", async () => {
      const refused = connectPostgres(options({ ...postgresUsers.sslOnly, ssl: tls }));
      expect(await failureOf(refused, 10_000, "the upgrade")).toMatch(/^ENOTSUP /);
    });
  });
});

const missing = "redis-server is not installed (apt-get install -y redis-server; .ci/run does)";
const installed = serverInstalled(redisInstalled(), missing);

describe.skipIf(!installed)(
  installed ? "WinterTC connect(): Redis" : `WinterTC connect(): Redis (skipped: ${missing})`,
  () => {
    const server = serverForFile(
      startRedis,
      (redis) => `redis-server: start ${redis.startMs.toFixed(0)} ms`,
    );
    async function session(
      body: (client: Awaited<ReturnType<typeof connectRedis>>) => Promise<void>,
    ) {
      const client = await within(
        connectRedis({ hostname: server().host, port: server().port }),
        10_000,
        "connect",
      );
      try {
        await body(client);
      } finally {
        await within(client.close(), 5_000, "close");
      }
    }

    it("encodes a command as RESP", () => {
      expect(new TextDecoder().decode(encodeCommand(["SET", "k", "vé"]))).toBe(
        "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nvé\r\n",
      );
    });

    it("PING, SET, GET, and an error reply", async () => {
      await session(async (client) => {
        expect(await client.command("PING")).toBe("PONG");
        expect(await client.command("SET", "wintertc:greeting", "héllo\r\nworld")).toBe("OK");
        expect(await client.command("GET", "wintertc:greeting")).toBe("héllo\r\nworld");
        expect(await client.command("GET", "wintertc:missing")).toBeNull();
        expect(await client.command("INCR", "wintertc:counter")).toBe(1);
        await expect(client.command("INCR", "wintertc:greeting")).rejects.toThrow(/not an integer/);
        expect(await client.command("PING")).toBe("PONG");
      });
    });

    it("a pipeline of 2,000 commands in one write, every reply in order", async () => {
      await session(async (client) => {
        const commands: (string | number)[][] = [];
        for (let index = 0; index < 1_000; index++) {
          commands.push([
            "SET",
            `wintertc:key:${index}`,
            `value-${index}-${"x".repeat(index % 50)}`,
          ]);
          commands.push(["GET", `wintertc:key:${index}`]);
        }
        const replies = await within(client.pipeline(commands), 10_000, "the pipeline");
        expect(replies).toHaveLength(2_000);
        for (let index = 0; index < 1_000; index++) {
          expect(replies[2 * index]).toBe("OK");
          expect(replies[2 * index + 1]).toBe(`value-${index}-${"x".repeat(index % 50)}`);
        }
        const [keys] = await client.pipeline([["KEYS", "wintertc:key:*"]]);
        expect(keys).toHaveLength(1_000);
      });
    });
  },
);
