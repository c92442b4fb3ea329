import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatProgress, type LoadProgress, runLoad } from "@omnisock/echo-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Echo, startEcho } from "./echo.js";
import { formatAddress } from "./omnisock.js";

describe("echo server under load", () => {
  let echo: Echo;
  beforeAll(async () => {
    echo = await startEcho({
      hostname: "127.0.0.1",
      port: 0,
      udpPort: 0,
      unixPath: join(tmpdir(), `omnisock-echo-test-${process.pid}.sock`),
    });
  });
  afterAll(() => echo.close(1_000));

  const cases = [
    ["tcp", () => formatAddress(echo.tcp.address)],
    ["udp", () => formatAddress(echo.udp.localAddress)],
    ["unix", () => formatAddress(echo.unix!.address)],
  ] as const;
  for (const [transport, target] of cases) {
    it(`echoes every byte over ${transport}`, async () => {
      const report = await runLoad({
        target: target(),
        connections: 3,
        messages: 50,
        size: 300,
        timeout: 5_000,
      });
      expect(report.problems).toEqual([]);
      expect(report.echoed).toBe(150);
      expect(report.bytesReceived).toBe(150 * 300);
      expect(report.ok).toBe(true);
    }, 10_000);
  }

  it("tells how far it got as it goes", async () => {
    const seen: LoadProgress[] = [];
    const report = await runLoad({
      target: formatAddress(echo.tcp.address),
      connections: 2,
      messages: 20,
      size: 16,
      timeout: 5_000,
      onProgress: (progress) => seen.push(progress),
    });
    expect(report.ok).toBe(true);
    // Once at the start at least, then every 250 ms: a short run may end before the next.
    expect(seen[0]).toMatchObject({ echoed: 0, total: 40, failed: 0 });
    expect(seen.every(({ echoed }) => echoed <= 40)).toBe(true);
    expect(formatProgress({ echoed: 1_500, total: 40_000, failed: 2, elapsed: 500 })).toBe(
      "1,500 of 40,000 messages echoed, 2 failed, 500 ms, 3,000 msg/s",
    );
  }, 10_000);

  it("reports a refused connection as an error, not a throw", async () => {
    const closed = await startEcho({
      hostname: "127.0.0.1",
      port: 0,
      udpPort: 0,
      unixPath: undefined,
    });
    const target = formatAddress(closed.tcp.address);
    await closed.close();
    const report = await runLoad({ target, connections: 1, messages: 1, size: 1, timeout: 5_000 });
    expect(report.ok).toBe(false);
    expect(report.errors).toBe(1);
    expect(report.problems[0]).toMatch(/ECONNREFUSED/);
  }, 10_000);
});
