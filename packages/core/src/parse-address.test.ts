import { describe, expect, it } from "vitest";
import type { Address } from "./address.js";
import { formatAddress, ipFamily, isHostName, parseAddress } from "./parse-address.js";

describe("ipFamily", () => {
  it.each(["0.0.0.0", "127.0.0.1", "255.255.255.255", "10.0.100.9"])("%s is IPv4", (text) => {
    expect(ipFamily(text)).toBe("IPv4");
  });

  it.each([
    "::",
    "::1",
    "1::",
    "1::8",
    "1:2:3:4:5:6:7:8",
    "::1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7::",
    "2001:db8::ff00:42:8329",
    "FE80::A",
    "::ffff:1.2.3.4",
    "::1.2.3.4",
    "1:2:3:4:5:6:1.2.3.4",
    "fe80::1%eth0",
    "fe80::1%25",
    "fe80::1%en0.100_x~y-z",
  ])("%s is IPv6", (text) => {
    expect(ipFamily(text)).toBe("IPv6");
  });

  it.each([
    "",
    "localhost",
    "01.2.3.4",
    "00.0.0.0",
    "256.0.0.1",
    "1.2.3",
    "127.1",
    "1.2.3.4.5",
    "1..2.3",
    "1.2.3.4.",
    " 1.2.3.4",
    "1.2.3.4 ",
    "+1.2.3.4",
    "0x7f.0.0.1",
    "1e2.0.0.1",
    ":",
    ":::",
    ":1::",
    "1:::2",
    "1::2::3",
    "1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:8:9",
    "1::2:3:4:5:6:7:8",
    "12345::",
    "::g",
    "1.2.3.4::",
    "1:2:3:4:5:6:7:1.2.3.4",
    "::ffff:1.2.3",
    "::ffff:01.2.3.4",
    "::1.2.3.4:1",
    "[::1]",
    "fe80::1%",
    "fe80::1%eth 0",
    "fe80::1%eth/0",
    "%eth0",
  ])("%j is not an IP address", (text) => {
    expect(ipFamily(text)).toBeUndefined();
  });

  it("stays linear on a long hostile input", () => {
    const started = Date.now();
    expect(ipFamily("1:".repeat(200_000))).toBeUndefined();
    expect(ipFamily("1.".repeat(200_000))).toBeUndefined();
    expect(isHostName(`${"a".repeat(62)}-`.repeat(10_000))).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe("isHostName", () => {
  it.each([
    "localhost",
    "example.com",
    "example.com.",
    "_sip._tcp.example.com",
    "a-b",
    "xn--bcher-kva.ch",
    "Example.COM",
    "1a",
  ])("%s is a host name", (text) => {
    expect(isHostName(text)).toBe(true);
  });

  it.each([
    "",
    ".",
    "-a",
    "a-",
    "a..b",
    "a b",
    "a/b",
    "a@b",
    "80",
    "1.2.3.256",
    `${"a".repeat(64)}.com`,
    `${"a.".repeat(127)}ab`,
  ])("%j is not a host name", (text) => {
    expect(isHostName(text)).toBe(false);
  });
});

describe("parseAddress", () => {
  it.each<[string, Address]>([
    ["localhost:80", { transport: "tcp", hostname: "localhost", port: 80 }],
    ["127.0.0.1:8080", { transport: "tcp", hostname: "127.0.0.1", port: 8080, family: "IPv4" }],
    ["0.0.0.0:65535", { transport: "tcp", hostname: "0.0.0.0", port: 65535, family: "IPv4" }],
    ["[::1]:443", { transport: "tcp", hostname: "::1", port: 443, family: "IPv6" }],
    ["[::]:0", { transport: "tcp", hostname: "::", port: 0, family: "IPv6" }],
    [
      "[fe80::1%25eth0]:80",
      { transport: "tcp", hostname: "fe80::1%eth0", port: 80, family: "IPv6" },
    ],
    ["[fe80::1%eth0]:80", { transport: "tcp", hostname: "fe80::1%eth0", port: 80, family: "IPv6" }],
    ["[fe80::1%25]:80", { transport: "tcp", hostname: "fe80::1%25", port: 80, family: "IPv6" }],
    [
      "[::ffff:1.2.3.4]:53",
      { transport: "tcp", hostname: "::ffff:1.2.3.4", port: 53, family: "IPv6" },
    ],
    [":8080", { transport: "tcp", hostname: "", port: 8080 }],
    ["example.com.:80", { transport: "tcp", hostname: "example.com.", port: 80 }],
    [
      "_sip._tcp.example.com:5060",
      { transport: "tcp", hostname: "_sip._tcp.example.com", port: 5060 },
    ],
    ["tcp://example.com:25", { transport: "tcp", hostname: "example.com", port: 25 }],
    ["TCP://Example.COM:25", { transport: "tcp", hostname: "Example.COM", port: 25 }],
    ["udp://10.0.0.1:53", { transport: "udp", hostname: "10.0.0.1", port: 53, family: "IPv4" }],
    ["udp://[::1]:53", { transport: "udp", hostname: "::1", port: 53, family: "IPv6" }],
    ["udp://:5353", { transport: "udp", hostname: "", port: 5353 }],
    ["localhost:080", { transport: "tcp", hostname: "localhost", port: 80 }],
    ["unix:///tmp/app.sock", { transport: "unix", path: "/tmp/app.sock" }],
    ["unix:/tmp/app.sock", { transport: "unix", path: "/tmp/app.sock" }],
    ["unix:./app.sock", { transport: "unix", path: "./app.sock" }],
    ["unix:app.sock", { transport: "unix", path: "app.sock" }],
    ["unix:@omnisock", { transport: "unix", path: "@omnisock" }],
    ["unix:./@file", { transport: "unix", path: "./@file" }],
    ["UNIX:/tmp/a", { transport: "unix", path: "/tmp/a" }],
  ])("%s", (input, expected) => {
    expect(parseAddress(input)).toStrictEqual(expected);
  });

  it("takes the default transport from its second argument, and a scheme over it", () => {
    expect(parseAddress("localhost:53", "udp")).toStrictEqual({
      transport: "udp",
      hostname: "localhost",
      port: 53,
    });
    expect(parseAddress("tcp://localhost:53", "udp").transport).toBe("tcp");
    expect(parseAddress("udp://localhost:53", "tcp").transport).toBe("udp");
    expect(parseAddress("unix:/x", "udp")).toStrictEqual({ transport: "unix", path: "/x" });
  });

  it("words a port error as documented", () => {
    expect(() => parseAddress("localhost:80a")).toThrow(
      'Invalid address "localhost:80a": the port must be an integer from 0 to 65535',
    );
  });

  it("suggests brackets for a bare IPv6 address", () => {
    expect(() => parseAddress("::1:80")).toThrow('as in "[::1]:80"');
    expect(() => parseAddress("::1")).toThrow("must be in brackets");
  });

  it.each<[string, ErrorConstructor]>([
    ["", TypeError],
    ["localhost", TypeError],
    ["localhost:", RangeError],
    ["localhost:80a", RangeError],
    ["localhost:-1", RangeError],
    ["localhost:65536", RangeError],
    ["localhost:99999999999999999999", RangeError],
    ["localhost:8 0", RangeError],
    ["localhost:1e3", RangeError],
    ["localhost:0x50", RangeError],
    ["udp://:70000", RangeError],
    ["::1", TypeError],
    ["::1:80", TypeError],
    ["fe80::1%eth0:80", TypeError],
    ["[::1]", TypeError],
    ["[::1]80", TypeError],
    ["[::1:80", TypeError],
    ["[1.2.3.4]:80", TypeError],
    ["[]:80", TypeError],
    ["[fe80::1%]:80", TypeError],
    ["[fe80::1%eth 0]:80", TypeError],
    ["bad host:80", TypeError],
    ["-bad.example:80", TypeError],
    ["a..b:80", TypeError],
    ["1.2.3.256:80", TypeError],
    ["127.1:80", TypeError],
    ["01.2.3.4:80", TypeError],
    [`${"a".repeat(64)}.com:80`, TypeError],
    [`${"a.".repeat(127)}ab:80`, TypeError],
    ["user@host:80", TypeError],
    ["http://example.com:80", TypeError],
    ["tcp://[::1]", TypeError],
    ["tcp://", TypeError],
    ["unix:", TypeError],
    ["unix://", TypeError],
    ["unix://host/path", TypeError],
    ["unix:@", TypeError],
    ["unix:/tmp/a\0b", TypeError],
  ])("rejects %j", (input, errorClass) => {
    const error = catchError(() => parseAddress(input));
    expect(error).toBeInstanceOf(errorClass);
    expect(error.message).toContain(JSON.stringify(input));
  });

  it.each([80, null, undefined, {}])("rejects the non-string %j with a TypeError", (input) => {
    expect(() => parseAddress(input as unknown as string)).toThrow(TypeError);
    expect(() => parseAddress(input as unknown as string)).toThrow(
      'The "address" argument must be a string',
    );
  });

  it("rejects an unknown transport", () => {
    expect(() => parseAddress("localhost:80", "unix" as "tcp")).toThrow(TypeError);
  });
});

describe("formatAddress", () => {
  it.each<[Address, string]>([
    [{ transport: "tcp", hostname: "localhost", port: 80 }, "localhost:80"],
    [{ transport: "tcp", hostname: "127.0.0.1", port: 8080, family: "IPv4" }, "127.0.0.1:8080"],
    [{ transport: "tcp", hostname: "::1", port: 443, family: "IPv6" }, "[::1]:443"],
    [{ transport: "tcp", hostname: "fe80::1%eth0", port: 80, family: "IPv6" }, "[fe80::1%eth0]:80"],
    [{ transport: "tcp", hostname: "fe80::1%25", port: 80, family: "IPv6" }, "[fe80::1%2525]:80"],
    [{ transport: "tcp", hostname: "", port: 8080 }, ":8080"],
    [{ transport: "tcp", hostname: "unix", port: 80 }, "tcp://unix:80"],
    [{ transport: "udp", hostname: "10.0.0.1", port: 53, family: "IPv4" }, "udp://10.0.0.1:53"],
    [{ transport: "udp", hostname: "::", port: 0, family: "IPv6" }, "udp://[::]:0"],
    [{ transport: "unix", path: "/tmp/app.sock" }, "unix:///tmp/app.sock"],
    [{ transport: "unix", path: "@omnisock" }, "unix:@omnisock"],
    [{ transport: "unix", path: "./app.sock" }, "unix:./app.sock"],
    [{ transport: "unix", path: "app.sock" }, "unix:app.sock"],
  ])("%j → %s", (address, expected) => {
    expect(formatAddress(address)).toBe(expected);
  });

  it.each<Address>([
    { transport: "tcp", hostname: "localhost", port: 80 },
    { transport: "tcp", hostname: "Example.COM.", port: 1 },
    { transport: "tcp", hostname: "192.168.1.1", port: 65535, family: "IPv4" },
    { transport: "tcp", hostname: "2001:db8::1", port: 22, family: "IPv6" },
    { transport: "tcp", hostname: "::ffff:1.2.3.4", port: 22, family: "IPv6" },
    { transport: "tcp", hostname: "fe80::1%eth0", port: 80, family: "IPv6" },
    { transport: "tcp", hostname: "fe80::1%2", port: 80, family: "IPv6" },
    { transport: "tcp", hostname: "fe80::1%25", port: 80, family: "IPv6" },
    { transport: "tcp", hostname: "fe80::1%253", port: 80, family: "IPv6" },
    { transport: "tcp", hostname: "", port: 0 },
    { transport: "tcp", hostname: "unix", port: 80 },
    { transport: "tcp", hostname: "UNIX", port: 80 },
    { transport: "tcp", hostname: "tcp", port: 80 },
    { transport: "udp", hostname: "localhost", port: 53 },
    { transport: "udp", hostname: "", port: 5353 },
    { transport: "udp", hostname: "::", port: 0, family: "IPv6" },
    { transport: "udp", hostname: "unix", port: 53 },
    { transport: "unix", path: "/tmp/app.sock" },
    { transport: "unix", path: "//double/slash" },
    { transport: "unix", path: "/" },
    { transport: "unix", path: "@abstract" },
    { transport: "unix", path: "./@file" },
    { transport: "unix", path: "../up.sock" },
    { transport: "unix", path: "relative.sock" },
  ])("round-trips %j", (address) => {
    const transport = address.transport === "udp" ? "udp" : "tcp";
    expect(parseAddress(formatAddress(address), transport)).toStrictEqual(address);
  });

  it.each([
    "localhost:80",
    "[::1]:443",
    "[fe80::1%eth0]:80",
    ":8080",
    "udp://10.0.0.1:53",
    "unix:///tmp/app.sock",
    "unix:@name",
    "unix:./rel",
  ])("gives back the canonical %s", (text) => {
    expect(formatAddress(parseAddress(text))).toBe(text);
  });

  it("rejects a value without a known transport", () => {
    expect(() => formatAddress({ transport: "sctp" } as unknown as Address)).toThrow(TypeError);
    expect(() => formatAddress(null as unknown as Address)).toThrow(TypeError);
  });
});

function catchError(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a throw");
}
