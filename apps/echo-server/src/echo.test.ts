import { tmpdir } from "node:os";
import { join } from "node:path";
import { runLoad } from "@omnisock/echo-client";
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
