import { describe, expect, it } from "vitest";
import {
  checkBoolean,
  checkData,
  checkFamily,
  checkIP,
  checkMilliseconds,
  checkOptionsObject,
  checkPort,
  checkPositiveInteger,
  checkSignal,
  checkTTL,
  describeValue,
} from "./check.js";

const signal = new AbortController().signal;

describe("describeValue", () => {
  it.each<[unknown, string]>([
    [-1, "-1"],
    [Number.NaN, "NaN"],
    ["80a", '"80a"'],
    [10n, "10n"],
    [true, "true"],
    [null, "null"],
    [undefined, "undefined"],
    [Symbol("s"), "Symbol(s)"],
    [{}, "an instance of Object"],
    [[1], "an instance of Array"],
    [Object.create(null), "an object"],
    [function named() {}, "function named"],
  ])("%s → %s", (value, expected) => {
    expect(describeValue(value)).toBe(expected);
  });
});

describe("checkers", () => {
  it("return the value when it is good", () => {
    expect(checkPort("port", 0)).toBe(0);
    expect(checkPort("port", 65535, { allowZero: false })).toBe(65535);
    expect(checkBoolean("flag", false)).toBe(false);
    expect(checkMilliseconds("delay", 2_147_483_647)).toBe(2_147_483_647);
    expect(checkPositiveInteger("count", 10, 10)).toBe(10);
    expect(checkTTL("ttl", 255)).toBe(255);
    expect(checkIP("ip", "fe80::1%eth0")).toBe("fe80::1%eth0");
    expect(checkSignal("signal", signal)).toBe(signal);
    expect(checkData("data", "text")).toBe("text");
    const bytes = new Uint8Array(1);
    expect(checkData("data", bytes)).toBe(bytes);
    expect(checkFamily("family", 6)).toBe(6);
    expect(checkOptionsObject("options", undefined, [])).toStrictEqual({});
  });

  it("words a range error as Node does", () => {
    expect(() => checkPort("options.port", -1)).toThrow(
      'The "options.port" argument must be an integer from 0 to 65535. Received -1',
    );
  });

  it("suggests the spelling of an option that differs only in case", () => {
    expect(() => checkOptionsObject("options", { nodelay: true }, ["noDelay"])).toThrow(
      'Unknown option "nodelay" in options; did you mean "noDelay"?',
    );
    expect(() => checkOptionsObject("options", { speed: 1 }, ["noDelay", "timeout"])).toThrow(
      'Unknown option "speed" in options; expected one of noDelay, timeout',
    );
  });
});
