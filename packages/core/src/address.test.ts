import { describe, expect, it } from "vitest";
import { acceptedLocal, connectedPeer, inetAddress, kernelPath, unixAddress } from "./address.js";
import { normalizeConnect } from "./normalize.js";

describe("inetAddress", () => {
  it.each<[string, "IPv4" | "IPv6"]>([
    ["127.0.0.1", "IPv4"],
    ["::1", "IPv6"],
    ["::ffff:127.0.0.1", "IPv6"],
    ["fe80::1%eth0", "IPv6"],
  ])("reads the family of %s from the address itself", (hostname, family) => {
    expect(inetAddress("tcp", hostname, 80)).toEqual({
      transport: "tcp",
      hostname,
      port: 80,
      family,
    });
  });

  it("is frozen, as every address omnisock reports", () => {
    expect(Object.isFrozen(inetAddress("udp", "10.0.0.1", 53))).toBe(true);
  });

  it("keeps the transport", () => {
    expect(inetAddress("udp", "10.0.0.1", 53).transport).toBe("udp");
  });

  it("gives a socket that is already gone an empty host and port 0", () => {
    expect(inetAddress("tcp", undefined, undefined)).toEqual({
      transport: "tcp",
      hostname: "",
      port: 0,
      family: "IPv4",
    });
  });
});

describe("unixAddress", () => {
  it("keeps a file path", () => {
    expect(unixAddress("/tmp/app.sock")).toEqual({ transport: "unix", path: "/tmp/app.sock" });
  });

  it("writes a Linux abstract name (leading NUL) as @name", () => {
    expect(unixAddress("\0app")).toEqual({ transport: "unix", path: "@app" });
  });

  it.each(["", null, undefined])("gives the unnamed side (%j) an empty path", (path) => {
    expect(unixAddress(path)).toEqual({ transport: "unix", path: "" });
  });
});

describe("kernelPath", () => {
  it("turns @name into a leading NUL", () => {
    expect(kernelPath({ transport: "unix", path: "@app" })).toBe("\0app");
  });

  it("keeps a file path, also one written ./@name", () => {
    expect(kernelPath({ transport: "unix", path: "/tmp/app.sock" })).toBe("/tmp/app.sock");
    expect(kernelPath({ transport: "unix", path: "./@app" })).toBe("./@app");
  });

  it("is undone by unixAddress", () => {
    for (const path of ["@app", "/tmp/app.sock", ""]) {
      expect(unixAddress(kernelPath({ transport: "unix", path })).path).toBe(path);
    }
  });
});

describe("acceptedLocal", () => {
  it("is the listener's own address when it is bound to one IP address", () => {
    const listening = inetAddress("tcp", "127.0.0.1", 4000);
    expect(acceptedLocal(listening)).toBe(listening);
    const v6 = inetAddress("tcp", "::1", 4000);
    expect(acceptedLocal(v6)).toBe(v6);
  });

  it("is undefined for a wildcard, whose connections each have their own, and for Unix", () => {
    for (const host of ["0.0.0.0", "::", "::ffff:0.0.0.0"])
      expect(acceptedLocal(inetAddress("tcp", host, 4000))).toBeUndefined();
    expect(acceptedLocal(unixAddress("/tmp/x.sock"))).toBeUndefined();
  });
});

describe("connectedPeer", () => {
  it("is a normalized IPv4 target itself, frozen by normalizeConnect", () => {
    const { target } = normalizeConnect({ hostname: "127.0.0.1", port: 4000 }, undefined);
    expect(Object.isFrozen(target)).toBe(true);
    const peer = connectedPeer(target as Parameters<typeof connectedPeer>[0]);
    expect(peer).toBe(target);
    expect(peer).toEqual(inetAddress("tcp", "127.0.0.1", 4000));
  });

  it("is one object for connections to one peer", () => {
    const peer = (port: number) =>
      connectedPeer(
        normalizeConnect({ hostname: "127.0.0.2", port }, undefined).target as Parameters<
          typeof connectedPeer
        >[0],
      );
    const first = peer(4001);
    expect(peer(4001)).toBe(first);
    expect(peer(4002)).toEqual(inetAddress("tcp", "127.0.0.2", 4002));
    expect(peer(4002)).not.toBe(first);
  });

  it("is undefined for IPv6 text (several spellings) and 0.0.0.0 (reaches another address)", () => {
    const peer = (hostname: string) =>
      connectedPeer(
        normalizeConnect({ hostname, port: 4000 }, undefined).target as Parameters<
          typeof connectedPeer
        >[0],
      );
    expect(peer("::1")).toBeUndefined();
    expect(peer("0.0.0.0")).toBeUndefined();
  });
});
