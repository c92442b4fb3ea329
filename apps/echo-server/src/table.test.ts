import { describe, expect, it } from "vitest";
import type { MonitorEntry } from "./omnisock.js";
import { describeEvent, renderTable } from "./table.js";

const listener: MonitorEntry = {
  id: 1,
  kind: "server",
  role: "listener",
  transport: "tcp",
  localAddress: { transport: "tcp", hostname: "127.0.0.1", port: 7000, family: "IPv4" },
  remoteAddress: undefined,
  state: "listening",
  stats: { accepted: 1, refused: 0, openedAt: 0, closedAt: undefined },
  age: 1_500,
};
const connection: MonitorEntry = {
  id: 12,
  kind: "socket",
  role: "server",
  transport: "tcp",
  localAddress: { transport: "tcp", hostname: "127.0.0.1", port: 7000, family: "IPv4" },
  remoteAddress: { transport: "tcp", hostname: "127.0.0.1", port: 51234, family: "IPv4" },
  state: "open",
  stats: {
    bytesSent: 5,
    bytesReceived: 5,
    packetsSent: 1,
    packetsReceived: 1,
    openedAt: 0,
    closedAt: undefined,
  },
  age: 3,
};

describe("renderTable", () => {
  it("aligns one row per entry under a header, by id", () => {
    const lines = renderTable([connection, listener]);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^ ID {2}KIND {4}ROLE/);
    expect(lines[1]).toMatch(/^ #1 {2}server/);
    expect(lines[1]).toContain("1 accepted");
    expect(lines[2]).toContain("127.0.0.1:51234");
    expect(lines[2]).toContain("5 B / 1 pkt");
    expect(lines[2]).toMatch(/3 ms$/);
  });
});

describe("describeEvent", () => {
  it("writes accept and close lines", () => {
    const { localAddress, remoteAddress } = connection;
    expect(
      describeEvent({
        type: "accept",
        id: 12,
        kind: "socket",
        time: 0,
        localAddress,
        remoteAddress,
      }),
    ).toBe("accept #12 tcp 127.0.0.1:7000 <- 127.0.0.1:51234");
    const stats = { ...(connection.stats as object), closedAt: 3 } as never;
    expect(describeEvent({ type: "close", id: 12, kind: "socket", time: 3 }, stats)).toBe(
      "close #12 in 5 B / 1 pkt out 5 B / 1 pkt after 3 ms",
    );
  });

  it("leaves out send and receive, which would flood a log", () => {
    expect(describeEvent({ type: "send", id: 12, kind: "socket", time: 0, bytes: 5 })).toBe(
      undefined,
    );
  });
});
