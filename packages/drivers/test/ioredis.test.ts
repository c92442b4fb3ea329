// ioredis against a real redis-server, every socket (a reconnect's included) from the
// `Connector` hook. Skipped, saying why, where redis-server is not installed, except in CI.
import { once } from "node:events";
import { Redis, type RedisOptions } from "ioredis";
import { afterAll, describe, expect } from "vitest";
import { redisInstalled, startRedis } from "../src/servers/redis.js";
import { hooks, serverForFile, serverInstalled, until, within, workload } from "./helpers.js";

const missing = "redis-server is not installed (apt-get install -y redis-server; .ci/run does)";
const installed = serverInstalled(redisInstalled(), missing);

describe.skipIf(!installed)(installed ? "ioredis" : `ioredis (skipped: ${missing})`, () => {
  const server = serverForFile(
    startRedis,
    (redis) => `redis-server: start ${redis.startMs.toFixed(0)} ms`,
  );
  /** Clients made by `connect`, all disconnected after the file. */
  const clients: Redis[] = [];
  afterAll(() => {
    for (const client of clients) client.disconnect();
  });

  /** A client on the hook, ready. */
  async function connect(extra: RedisOptions = {}): Promise<Redis> {
    const client = new Redis({
      host: server().host,
      port: server().port,
      Connector: hooks.IoredisConnector,
      lazyConnect: true,
      connectTimeout: 10_000,
      // Reconnect at once, a bounded number of times.
      retryStrategy: (times) => (times > 20 ? null : 20),
      ...extra,
    });
    clients.push(client);
    // Errors also surface as the failed commands' rejections, which the cases check.
    client.on("error", () => {});
    await within(client.connect(), 10_000, "ioredis connect");
    return client;
  }

  workload("ioredis", "10,000 pipelined commands", async () => {
    const client = await connect();
    const before = hooks.calls.ioredis;
    await client.flushdb();
    const pairs = 5_000;
    const pipeline = client.pipeline();
    for (let index = 0; index < pairs; index++) {
      pipeline.set(`key:${index}`, `value:${index}:${"x".repeat(index % 64)}`);
      pipeline.get(`key:${index}`);
    }
    const results = await within(pipeline.exec(), 20_000, "the pipeline");
    expect(results).toHaveLength(pairs * 2);
    for (let index = 0; index < pairs; index++) {
      expect(results?.[2 * index]).toEqual([null, "OK"]);
      expect(results?.[2 * index + 1]).toEqual([null, `value:${index}:${"x".repeat(index % 64)}`]);
    }
    expect(await client.dbsize()).toBe(pairs);
    expect(hooks.calls.ioredis).toBe(before); // one connection did it all
  });

  workload("ioredis", "pub/sub: 1,000 messages in order", async () => {
    const publisher = await connect();
    const subscriber = await connect();
    const channel = "omnisock:events";
    const received: string[] = [];
    subscriber.on("message", (from: string, message: string) => {
      if (from === channel) received.push(message);
    });
    expect(await subscriber.subscribe(channel)).toBe(1);
    const sent = Array.from(
      { length: 1_000 },
      (_, index) => `message-${index}-${"y".repeat(index % 100)}`,
    );
    // Pipelined: each PUBLISH answers how many subscribers got it.
    const pipeline = publisher.pipeline();
    for (const message of sent) pipeline.publish(channel, message);
    const results = await within(pipeline.exec(), 10_000, "1,000 PUBLISHes");
    expect(results?.every(([error, count]) => error === null && count === 1)).toBe(true);
    await until(() => received.length >= sent.length, 10_000, "1,000 messages");
    expect(received).toEqual(sent);
  });

  workload("ioredis", "reconnects after CLIENT KILL, through the hook", async () => {
    const admin = await connect();
    const victim = await connect();
    const id = await victim.client("ID");
    const before = hooks.calls.ioredis;
    const closed = once(victim, "close");
    expect(await admin.client("KILL", "ID", String(id))).toBe(1);
    await within(closed, 10_000, "the killed connection to close");
    // Sent while it is down: ioredis holds it in its offline queue and sends it once back.
    const written = victim.set("after-kill", "still here");
    await within(once(victim, "ready"), 10_000, "the reconnect");
    expect(await within(written, 10_000, "the queued SET")).toBe("OK");
    expect(await admin.get("after-kill")).toBe("still here");
    const newId = await victim.client("ID");
    expect(newId).not.toBe(id);
    expect(hooks.calls.ioredis).toBe(before + 1);
  });
});
