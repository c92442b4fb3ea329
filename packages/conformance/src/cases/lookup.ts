// Name resolution and probing: an answer instead of a throw.
import { describe, expect, it } from "vitest";
import type { Api, ConformanceContext } from "../context.js";
import { defer, expectSocketError, listenLocal, portOf, within } from "../helpers.js";

export function lookupCases(api: Api, context: ConformanceContext): void {
  const { blackHole } = context;

  describe("lookup", () => {
    it('lookup("localhost") gives a loopback address', async () => {
      const [first, ...rest] = await within(5_000, "lookup", api.lookup("localhost"));
      expect(rest).toEqual([]);
      expect(["127.0.0.1", "::1"]).toContain(first!.hostname);
      expect(first!.family).toBe(first!.hostname === "::1" ? "IPv6" : "IPv4");
    });

    it("lookup with { all: true } and { family: 4 }", async () => {
      const all = await within(5_000, "lookup", api.lookup("localhost", { all: true }));
      expect(all.length).toBeGreaterThanOrEqual(1);
      for (const address of all) expect(["127.0.0.1", "::1"]).toContain(address.hostname);
      const v4 = await within(5_000, "lookup", api.lookup("localhost", { family: 4, all: true }));
      expect(v4.length).toBeGreaterThanOrEqual(1);
      for (const address of v4)
        expect(address).toMatchObject({ hostname: "127.0.0.1", family: "IPv4" });
    });

    it("lookup of an IP literal gives it back", async () => {
      expect(await within(5_000, "lookup", api.lookup("127.0.0.1"))).toMatchObject([
        { hostname: "127.0.0.1", family: "IPv4" },
      ]);
    });

    it("lookup of a name that does not exist (.invalid): ENOTFOUND", async () => {
      const error = await expectSocketError("ENOTFOUND", () => api.lookup("no-such-host.invalid"));
      expect(error.message).toContain("no-such-host.invalid");
    });

    it("connect by name: localhost reaches a listener on 127.0.0.1", async () => {
      const server = await listenLocal(api, (socket) => void socket.close());
      const client = await api.connect(`localhost:${portOf(server.address)}`, {
        family: 4,
        timeout: 5_000,
      });
      defer(() => client.reset());
      expect(client.remoteAddress).toMatchObject({
        hostname: "127.0.0.1",
        port: portOf(server.address),
      });
    });
  });

  describe("probe", () => {
    it("a listening port: { ok: true, rtt }", async () => {
      const server = await listenLocal(api);
      const result = await within(5_000, "probe", api.probe(server.address, { timeout: 2_000 }));
      expect(result.ok).toBe(true);
      if (result.ok) {
        expect(typeof result.rtt).toBe("number");
        expect(result.rtt).toBeGreaterThanOrEqual(0);
        expect(result.rtt).toBeLessThan(2_000);
      }
    });

    it("a closed port: { ok: false, code: 'ECONNREFUSED' }", async () => {
      const server = await api.listen({ hostname: "127.0.0.1", port: 0 });
      const port = portOf(server.address);
      await within(2_000, "close", server.close());
      expect(await within(5_000, "probe", api.probe(`127.0.0.1:${port}`))).toEqual({
        ok: false,
        code: "ECONNREFUSED",
      });
    });

    it("a name that does not resolve: { ok: false, code: 'ENOTFOUND' }", async () => {
      expect(await within(10_000, "probe", api.probe("no-such-host.invalid:80"))).toEqual({
        ok: false,
        code: "ENOTFOUND",
      });
    });

    it.runIf(blackHole !== undefined)(
      "a listener that never answers: { ok: false, code: 'ETIMEDOUT' } after the timeout",
      async () => {
        const hole = await blackHole!();
        defer(() => hole.close());
        const target = { hostname: hole.hostname, port: hole.port };
        // Fill the accept queue (see the connect-timeout case), then probe.
        for (let attempt = 0; attempt < 16; attempt++) {
          const result = await within(5_000, "probe", api.probe(target, { timeout: 250 }));
          if (!result.ok) {
            expect(result).toEqual({ ok: false, code: "ETIMEDOUT" });
            return;
          }
        }
        throw new Error("the black hole's queue never filled: every probe was answered");
      },
    );
  });
}
