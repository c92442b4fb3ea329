import { describe, expect, it } from "vitest";
import type { Address } from "./address.js";
import { nativeCode, SocketError, systemError, systemErrorCode } from "./error.js";

describe("nativeCode", () => {
  it("is the error's code", () => {
    expect(nativeCode(Object.assign(new Error("x"), { code: "ECONNREFUSED" }))).toBe(
      "ECONNREFUSED",
    );
    expect(nativeCode(Object.assign(new Error("x"), { code: "ERR_SOCKET_CLOSED" }))).toBe(
      "ERR_SOCKET_CLOSED",
    );
  });

  it("is an AbortSignal's DOMException name, whose code is a number", () => {
    expect(nativeCode(new DOMException("aborted", "AbortError"))).toBe("AbortError");
    expect(nativeCode(new DOMException("timed out", "TimeoutError"))).toBe("TimeoutError");
  });

  it("is nothing for any other name, nor for a value that is not an object", () => {
    expect(nativeCode(new TypeError("x"))).toBeUndefined();
    expect(nativeCode({ name: "toString" })).toBeUndefined();
    expect(nativeCode("ECONNREFUSED")).toBeUndefined();
    expect(nativeCode(null)).toBeUndefined();
    expect(nativeCode(undefined)).toBeUndefined();
  });
});

describe("systemErrorCode", () => {
  it.each([
    ["ECONNREFUSED", "ECONNREFUSED"],
    ["ECONNRESET", "ECONNRESET"],
    ["ECONNABORTED", "ECONNRESET"],
    ["ETIMEDOUT", "ETIMEDOUT"],
    ["EADDRINUSE", "EADDRINUSE"],
    ["EADDRNOTAVAIL", "EADDRNOTAVAIL"],
    ["EACCES", "EACCES"],
    ["EPERM", "EACCES"],
    ["ENOTFOUND", "ENOTFOUND"],
    ["EAI_NONAME", "ENOTFOUND"],
    ["EAI_NODATA", "ENOTFOUND"],
    ["EAI_AGAIN", "ENOTFOUND"],
    ["EAI_FAIL", "ENOTFOUND"],
    ["EHOSTUNREACH", "EHOSTUNREACH"],
    ["ENETUNREACH", "ENETUNREACH"],
    ["EPIPE", "EPIPE"],
    ["EMSGSIZE", "EMSGSIZE"],
    ["AbortError", "EABORTED"],
    ["TimeoutError", "ETIMEDOUT"],
  ])("maps %s to %s", (native, code) => {
    expect(systemErrorCode(native, "connect")).toBe(code);
  });

  it("reads ENOENT on connect as ECONNREFUSED: no socket file, so nothing listens", () => {
    expect(systemErrorCode("ENOENT", "connect")).toBe("ECONNREFUSED");
    expect(systemErrorCode("ENOENT", "listen")).toBeUndefined();
  });

  it("leaves any other code, and none, to the driver", () => {
    for (const native of ["ERR_SOCKET_CLOSED", "DNS_ENOTFOUND", "EINVAL", "constructor", ""]) {
      expect(systemErrorCode(native, "connect"), native).toBeUndefined();
    }
    expect(systemErrorCode(undefined, "connect")).toBeUndefined();
  });
});

describe("systemError", () => {
  const native = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
  const target: Address = { transport: "tcp", hostname: "127.0.0.1", port: 1, family: "IPv4" };

  it("is a SocketError with the code, the syscall, and the runtime's error as cause", () => {
    const error = systemError("ECONNREFUSED", native, { syscall: "connect", address: target });
    expect(error).toBeInstanceOf(SocketError);
    expect(error.code).toBe("ECONNREFUSED");
    expect(error.syscall).toBe("connect");
    expect(error.cause).toBe(native);
  });

  it("says the syscall and the address, and what the runtime said when it differs", () => {
    const context = { syscall: "connect", address: target };
    expect(systemError("ECONNREFUSED", native, context, { said: "ECONNREFUSED" }).message).toBe(
      "ECONNREFUSED: connect 127.0.0.1:1 failed",
    );
    expect(systemError("ECONNREFUSED", native, context, { said: "ENOENT" }).message).toBe(
      "ECONNREFUSED: connect 127.0.0.1:1 failed (ENOENT)",
    );
    expect(systemError("EIO", native, context).message).toBe("EIO: connect 127.0.0.1:1 failed");
  });

  it("says the name when there is no address, and neither when there is none", () => {
    expect(
      systemError(
        "ENOTFOUND",
        native,
        { syscall: "lookup", name: "example.test" },
        {
          said: "EAI_NONAME",
        },
      ).message,
    ).toBe("ENOTFOUND: lookup example.test failed (EAI_NONAME)");
    expect(systemError("EIO", native, { syscall: "listen", name: "fd 3" }).message).toBe(
      "EIO: listen fd 3 failed",
    );
    expect(systemError("EIO", native, { syscall: "read" }).message).toBe("EIO: read failed");
  });

  it("says the address, not the name, when there are both", () => {
    const unix: Address = { transport: "unix", path: "/tmp/app.sock" };
    const error = systemError("EADDRINUSE", native, {
      syscall: "listen",
      address: unix,
      name: "fd 3",
    });
    expect(error.message).toBe("EADDRINUSE: listen unix:///tmp/app.sock failed");
    expect(error.address).toEqual(unix);
  });

  it("reports an address whose family is known", () => {
    const v6: Address = { transport: "udp", hostname: "::1", port: 53, family: "IPv6" };
    expect(systemError("EIO", native, { syscall: "send", address: v6 }).address).toEqual(v6);
  });

  it("reports an IP literal without a family, with its family", () => {
    const address: Address = { transport: "tcp", hostname: "::1", port: 80 };
    expect(systemError("EIO", native, { syscall: "connect", address }).address).toEqual({
      transport: "tcp",
      hostname: "::1",
      port: 80,
      family: "IPv6",
    });
  });

  it("leaves out a name still to resolve, or reports the IP the runtime tried", () => {
    const address: Address = { transport: "tcp", hostname: "localhost", port: 80 };
    const context = { syscall: "connect", address };
    const untold = systemError("ECONNREFUSED", native, context);
    expect(untold.address).toBeUndefined();
    expect(untold.message).toBe("ECONNREFUSED: connect localhost:80 failed");
    expect(systemError("ECONNREFUSED", native, context, { tried: "127.0.0.1" }).address).toEqual({
      transport: "tcp",
      hostname: "127.0.0.1",
      port: 80,
      family: "IPv4",
    });
    expect(
      systemError("ECONNREFUSED", native, context, { tried: "not-an-ip" }).address,
    ).toBeUndefined();
  });

  it("reports the address given rather than the one tried", () => {
    const address: Address = { transport: "tcp", hostname: "127.0.0.1", port: 80 };
    expect(
      systemError("ECONNREFUSED", native, { syscall: "connect", address }, { tried: "::1" })
        .address,
    ).toMatchObject({ hostname: "127.0.0.1", family: "IPv4" });
  });
});
