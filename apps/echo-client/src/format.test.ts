import { describe, expect, it } from "vitest";
import { formatBytes, formatDuration, formatEndpoint, plural } from "./format.js";

describe("format", () => {
  it("writes bytes in decimal units", () => {
    expect(formatBytes(5)).toBe("5 B");
    expect(formatBytes(64_000)).toBe("64.0 kB");
    expect(formatBytes(1_550_000)).toBe("1.55 MB");
  });

  it("writes durations from microseconds to minutes", () => {
    expect(formatDuration(0.038)).toBe("38 µs");
    expect(formatDuration(1.25)).toBe("1.3 ms");
    expect(formatDuration(412.4)).toBe("412 ms");
    expect(formatDuration(3_400)).toBe("3.4 s");
    expect(formatDuration(125_000)).toBe("2m05s");
  });

  it("writes endpoints without a scheme", () => {
    expect(formatEndpoint({ transport: "udp", hostname: "::1", port: 7 })).toBe("[::1]:7");
    expect(formatEndpoint({ transport: "unix", path: "" })).toBe("(unnamed)");
  });

  it("counts nouns", () => {
    expect(plural(1, "error")).toBe("1 error");
    expect(plural(10_000, "message")).toBe("10,000 messages");
  });
});
