// omnisock/net's STARTTLS: `startTls({ socket, … })` in place of node:tls's
// `tls.connect({ socket, … })`, the way postgres.js and node-postgres call it after Postgres'
// SSLRequest, against a server whose TLS is the runtime's own (omnisock's listen({ tls })).
import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import { capabilities } from "omnisock";
import * as net from "omnisock/net";
import {
  caCert,
  defer,
  echo,
  nextEvent,
  readAll,
  record,
  startTlsServer,
  until,
  within,
} from "./peers.test-helper.js";

/** Postgres' SSLRequest: length 8, code 80877103. */
const sslRequest = Buffer.from([0, 0, 0, 8, 4, 210, 22, 47]);

/** A shim socket connected to 127.0.0.1:`port`, destroyed when the case ends. */
async function connected(port: number): Promise<net.Socket> {
  const socket = net.connect(port, "127.0.0.1");
  defer(() => socket.destroy());
  await nextEvent(socket, "connect");
  return socket;
}

/** `plain` upgraded at once, before its server has sent anything, and the TLS socket's events. */
function upgradeAtOnce(plain: net.Socket): [net.TLSSocket, string[]] {
  const secure = net.startTls({ socket: plain, ca: caCert, servername: "localhost" });
  defer(() => secure.destroy());
  return [secure, record(secure, ["secureConnect", "error", "close"])];
}

describe.runIf(capabilities.tlsUpgrade)("startTls(): STARTTLS through omnisock's own TLS", () => {
  it("postgres.js's way: the answer awaited from a 'data' listener, then the upgrade", async () => {
    const server = await startTlsServer("S");
    const plain = await connected(server.port);
    plain.write(sslRequest);
    const canSsl = await within(
      2_000,
      "the server's answer",
      new Promise((resolve) => plain.once("data", (answer: Buffer) => resolve(answer[0] === 83))),
    );
    expect(canSsl).toBe(true);
    plain.removeAllListeners();
    const plainEvents = record(plain, ["data", "end", "close"]);
    const secure = net.startTls({
      socket: plain,
      servername: "localhost",
      ca: caCert,
      ALPNProtocols: ["omnisock/1"],
    });
    defer(() => secure.destroy());
    const events = record(secure, ["connect", "secureConnect", "end", "close"]);
    const closed = nextEvent(secure, "close");
    expect(secure.connecting).toBe(true);
    await nextEvent(secure, "secureConnect");
    expect(secure.encrypted).toBe(true);
    expect(secure.authorized).toBe(true);
    expect(secure.authorizationError).toBeUndefined();
    expect(secure.alpnProtocol).toBe("omnisock/1");
    expect(secure.servername).toBe("localhost");
    if (capabilities.tlsSessionInfo) {
      expect(secure.getProtocol()).toMatch(/^TLSv1\.[23]$/);
      expect(secure.getCipher()).toMatchObject({
        name: expect.stringMatching(/^TLS_/),
        version: secure.getProtocol(),
      });
    }
    secure.end("over TLS");
    expect(await readAll(secure)).toBe("over TLS");
    await closed;
    expect(events).toEqual(["secureConnect", "end", "close:false"]);
    // The plain socket read nothing more, and closed with the TLS one, as with node:tls.
    await until(2_000, "the plain socket's 'close'", () => plainEvents.length > 0);
    expect(plainEvents).toEqual(["close:false"]);
  });

  it("node-postgres's way: the upgrade from inside the 'data' listener; writes before the handshake wait for it", async () => {
    const server = await startTlsServer("S");
    const plain = await connected(server.port);
    plain.write(sslRequest);
    const upgraded = new Promise<net.TLSSocket>((resolve) =>
      plain.once("data", (answer: Buffer) => {
        expect(answer.toString()).toBe("S");
        const secure = net.startTls({ socket: plain, ca: caCert, servername: "localhost" });
        secure.write("first, ");
        secure.write("second");
        secure.end();
        resolve(secure);
      }),
    );
    const secure = await within(2_000, "the upgrade", upgraded);
    defer(() => secure.destroy());
    let secured = false;
    secure.on("secureConnect", () => (secured = true));
    expect(await readAll(secure)).toBe("first, second");
    expect(secured).toBe(true);
  });

  it("plaintext left unread behind the answer: ETLS and the connection closes (CVE-2021-23222)", async () => {
    const server = await startTlsServer("SINJECTED");
    const plain = await connected(server.port);
    plain.write(sslRequest);
    await until(2_000, "the answer and the injection", () => plain.readableLength >= 9);
    expect(String(plain.read(1))).toBe("S");
    const secure = net.startTls({ socket: plain, ca: caCert, servername: "localhost" });
    defer(() => secure.destroy());
    const events = record(secure, ["secureConnect", "error", "close"]);
    const [[error]] = await Promise.all([nextEvent(secure, "error"), nextEvent(secure, "close")]);
    expect(error).toMatchObject({ code: "ETLS", syscall: "startTls" });
    expect(events).toEqual(["error", "close:true"]);
    await until(2_000, "the plain socket's end", () => plain.destroyed);
  });

  it("a certificate that does not name the server: 'error' with ETLS, then 'close'; the plain socket closes too", async () => {
    const server = await startTlsServer("S");
    const plain = await connected(server.port);
    plain.write(sslRequest);
    await nextEvent(plain, "data");
    const plainClosed = nextEvent(plain, "close");
    const secure = net.startTls({ socket: plain, ca: caCert, servername: "other.test" });
    defer(() => secure.destroy());
    const events = record(secure, ["secureConnect", "error", "close"]);
    const [[error]] = await Promise.all([nextEvent(secure, "error"), nextEvent(secure, "close")]);
    expect(error).toMatchObject({ code: "ETLS" });
    expect(events).toEqual(["error", "close:true"]);
    await plainClosed;
  });

  it.runIf(capabilities.tlsUpgradeBeforeData)(
    "an upgrade before the server has sent anything: the plain socket's reading stops, the handshake goes ahead",
    async () => {
      const server = await echo({ tls: true });
      const [secure, events] = upgradeAtOnce(await connected(server.port));
      secure.end("over TLS");
      expect(await readAll(secure)).toBe("over TLS");
      expect(events[0]).toBe("secureConnect");
    },
  );

  it.runIf(!capabilities.tlsUpgradeBeforeData)(
    "an upgrade before the server has sent anything: 'error' with ENOTSUP (capabilities.tlsUpgradeBeforeData)",
    async () => {
      const server = await echo({ tls: true });
      const [secure, events] = upgradeAtOnce(await connected(server.port));
      const [[error]] = await Promise.all([nextEvent(secure, "error"), nextEvent(secure, "close")]);
      expect(error).toMatchObject({ code: "ENOTSUP" });
      expect(events).toEqual(["error", "close:true"]);
    },
  );

  it("options omnisock cannot honour are ENOTSUP, bad ones TypeErrors, before any I/O", async () => {
    const server = await echo();
    const plain = await connected(server.port);
    expect(() => net.startTls({ socket: {} as net.Socket })).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARG_TYPE" }),
    );
    for (const option of ["secureContext", "checkServerIdentity", "minVersion", "pfx"]) {
      expect(() => net.startTls({ socket: plain, [option]: {} } as net.StartTlsOptions)).toThrow(
        expect.objectContaining({ code: "ENOTSUP", message: expect.stringContaining(option) }),
      );
    }
    expect(() => net.startTls({ socket: plain, ca: 42 } as never)).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_ARG_TYPE" }),
    );
    // Nothing happened to the plain socket.
    plain.write("still plain");
    const [reply] = await nextEvent(plain, "data");
    expect(String(reply)).toBe("still plain");
  });
});

describe.runIf(!capabilities.tlsUpgrade)("startTls() where the runtime cannot upgrade", () => {
  it("ENOTSUP (capabilities.tlsUpgrade), thrown before any I/O", async () => {
    const server = await echo();
    const plain = await connected(server.port);
    expect(() => net.startTls({ socket: plain, ca: caCert })).toThrow(
      expect.objectContaining({ code: "ENOTSUP" }),
    );
    plain.write("still plain");
    const [reply] = await nextEvent(plain, "data");
    expect(String(reply)).toBe("still plain");
  });
});
