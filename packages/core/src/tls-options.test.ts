import { describe, expect, it } from "vitest";
import { normalizeConnect, normalizeListen } from "./normalize.js";

const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const key = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

describe("TLS options", () => {
  it("tls: true verifies the target's name, sent as SNI", () => {
    expect(normalizeConnect("db.example.com:5432", { tls: true }).tls).toEqual({
      servername: "db.example.com",
      verifyName: "db.example.com",
      ca: undefined,
      cert: undefined,
      key: undefined,
      alpnProtocols: [],
      rejectUnauthorized: true,
    });
  });

  it("an IP literal target is verified but never sent as SNI (RFC 6066)", () => {
    const tls = normalizeConnect("127.0.0.1:443", { tls: true }).tls!;
    expect(tls.servername).toBeUndefined();
    expect(tls.verifyName).toBe("127.0.0.1");
    const named = normalizeConnect("127.0.0.1:443", { tls: { servername: "localhost" } }).tls!;
    expect(named).toMatchObject({ servername: "localhost", verifyName: "localhost" });
  });

  it("keeps what is given, a single CA as a list", () => {
    const tls = normalizeConnect("h:1", {
      tls: { ca: pem, cert: pem, key, alpnProtocols: ["h2"], rejectUnauthorized: false },
    }).tls!;
    expect(tls).toMatchObject({ ca: [pem], cert: pem, key, alpnProtocols: ["h2"] });
    expect(tls.rejectUnauthorized).toBe(false);
    expect(normalizeConnect("h:1", { tls: false }).tls).toBeUndefined();
  });

  it.each<[string, () => unknown, string]>([
    ['tls: "yes"', () => normalizeConnect("h:1", { tls: "yes" }), '"options.tls"'],
    ["ca: 42", () => normalizeConnect("h:1", { tls: { ca: 42 } }), '"options.tls.ca"'],
    ["ca: not PEM", () => normalizeConnect("h:1", { tls: { ca: "abc" } }), '"options.tls.ca[0]"'],
    ["ca: []", () => normalizeConnect("h:1", { tls: { ca: [] } }), '"options.tls.ca"'],
    [
      'alpnProtocols: "h2"',
      () => normalizeConnect("h:1", { tls: { alpnProtocols: "h2" } }),
      '"options.tls.alpnProtocols"',
    ],
    [
      'alpnProtocols: [""]',
      () => normalizeConnect("h:1", { tls: { alpnProtocols: [""] } }),
      '"options.tls.alpnProtocols[0]"',
    ],
    [
      "cert without key",
      () => normalizeConnect("h:1", { tls: { cert: pem } }),
      '"options.tls.key"',
    ],
    [
      "rejectUnauthorized: 0",
      () => normalizeConnect("h:1", { tls: { rejectUnauthorized: 0 } }),
      '"options.tls.rejectUnauthorized"',
    ],
    ["unknown option", () => normalizeConnect("h:1", { tls: { CA: pem } }), '"CA"'],
    [
      "tls on a Unix socket",
      () => normalizeConnect("unix:///tmp/x", { tls: true }),
      '"options.tls"',
    ],
    ["listen tls: {}", () => normalizeListen({ tls: {} }), '"options.tls.cert"'],
    ["listen tls: true", () => normalizeListen({ tls: true }), '"options.tls"'],
    ["listen key: 1", () => normalizeListen({ tls: { cert: pem, key: 1 } }), '"options.tls.key"'],
    [
      "listen requestCert without ca",
      () => normalizeListen({ tls: { cert: pem, key, requestCert: true } }),
      '"options.tls.ca"',
    ],
    [
      "listen tls on a path",
      () => normalizeListen({ path: "/tmp/x", tls: { cert: pem, key } }),
      '"options.tls"',
    ],
  ])("%s is a TypeError naming the option", (_, action, name) => {
    expect(action).toThrow(TypeError);
    expect(action).toThrow(name);
  });

  it("a server's options", () => {
    expect(
      normalizeListen({
        tls: { cert: pem, key, ca: [pem], requestCert: true, alpnProtocols: ["x"] },
      }).tls,
    ).toEqual({ cert: pem, key, ca: [pem], requestCert: true, alpnProtocols: ["x"] });
  });
});
