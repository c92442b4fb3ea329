// omnisock/sockets: WinterTC's `connect()` as Cloudflare Workers document it
// (https://developers.cloudflare.com/workers/runtime-apis/tcp-sockets/), over real sockets on
// loopback, on every runtime.
import { describe, expect, it } from "vitest";
import { capabilities } from "omnisock";
import { connect, type Socket } from "omnisock/sockets";
import {
  bytes,
  caCert,
  defer,
  echo,
  serve,
  startTlsServer,
  text,
  until,
  within,
} from "./peers.test-helper.js";

/** `connect()`, closed when the case ends (close() answers `closed`: a failed socket's rejects). */
function dial(...args: Parameters<typeof connect>): Socket {
  const socket = connect(...args);
  defer(() => socket.close().catch(() => {}));
  return socket;
}

/** Everything `socket` reads until its readable side ends. */
async function readAll(socket: Socket): Promise<string> {
  let received = "";
  const reader = socket.readable.getReader();
  for (;;) {
    const { value, done } = await within(5_000, "a read", reader.read());
    if (done) return received;
    received += text(value);
  }
}

describe("connect()", () => {
  it("echo: bytes through writable and back through readable; opened gives the addresses", async () => {
    const server = await echo();
    const socket = dial({ hostname: "127.0.0.1", port: server.port });
    expect(await within(2_000, "opened", socket.opened)).toEqual({
      remoteAddress: `127.0.0.1:${server.port}`,
      localAddress: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      alpn: null,
    });
    expect(socket.secureTransport).toBe("off");
    const writer = socket.writable.getWriter();
    await writer.write(bytes("hello"));
    const reader = socket.readable.getReader();
    const { value } = await within(2_000, "the echo", reader.read());
    expect(text(value!)).toBe("hello");
  });

  it("the streams are usable at once: what is written before opened leaves once connected", async () => {
    const server = await echo();
    const socket = dial(`127.0.0.1:${server.port}`);
    const writer = socket.writable.getWriter();
    void writer.write(bytes("early"));
    void writer.close();
    expect(await readAll(socket)).toBe("early");
    expect((await socket.opened).remoteAddress).toBe(`127.0.0.1:${server.port}`);
  });

  it("writable.close() half-closes: the peer sees the end and still answers; closed resolves at its FIN", async () => {
    const server = await serve(async (peer) => {
      let count = 0;
      for await (const chunk of peer) count += chunk.byteLength;
      peer.write(`got ${count}`);
      await peer.end();
    });
    const socket = dial({ hostname: "127.0.0.1", port: server.port });
    const writer = socket.writable.getWriter();
    await writer.write(bytes("four"));
    await writer.close();
    expect(await readAll(socket)).toBe("got 4");
    await within(2_000, "closed", socket.closed);
  });

  it("allowHalfOpen false (the default): the peer's FIN, once read, closes the socket", async () => {
    let peerSawEnd = false;
    const server = await serve(async (peer) => {
      peer.write("bye");
      await peer.end();
      for await (const _ of peer);
      peerSawEnd = true;
    });
    const socket = dial({ hostname: "127.0.0.1", port: server.port });
    expect(await readAll(socket)).toBe("bye");
    await within(2_000, "closed", socket.closed);
    await until(2_000, "our FIN at the peer", () => peerSawEnd);
  });

  it("allowHalfOpen true: after the peer's FIN the writable side still works", async () => {
    let received = "";
    const server = await serve(async (peer) => {
      await peer.end();
      for await (const chunk of peer) received += text(chunk);
    });
    const socket = dial({ hostname: "127.0.0.1", port: server.port }, { allowHalfOpen: true });
    expect(await readAll(socket)).toBe("");
    const writer = socket.writable.getWriter();
    await writer.write(bytes("after your FIN"));
    await writer.close();
    await until(2_000, "the bytes at the peer", () => received === "after your FIN");
    await within(2_000, "closed", socket.closed);
  });

  it("close(): what was written goes first, closed resolves, a waiting read ends, writes fail", async () => {
    let received = "";
    const server = await serve(async (peer) => {
      for await (const chunk of peer) received += text(chunk);
    });
    const socket = dial({ hostname: "127.0.0.1", port: server.port });
    const writer = socket.writable.getWriter();
    void writer.write(bytes("last words"));
    const reader = socket.readable.getReader();
    const waiting = reader.read();
    await within(2_000, "close()", socket.close());
    await within(2_000, "closed", socket.closed);
    expect(await within(2_000, "the waiting read", waiting)).toMatchObject({ done: true });
    await expect(writer.write(bytes("too late"))).rejects.toThrow(TypeError);
    await until(2_000, "the bytes at the peer", () => received === "last words");
  });

  it("a refused connection rejects opened and closed with ECONNREFUSED", async () => {
    const server = await echo();
    const port = server.port;
    await server.close();
    const socket = connect({ hostname: "127.0.0.1", port });
    await expect(within(2_000, "opened", socket.opened)).rejects.toMatchObject({
      code: "ECONNREFUSED",
    });
    await expect(within(2_000, "closed", socket.closed)).rejects.toMatchObject({
      code: "ECONNREFUSED",
    });
  });

  it("a malformed address or option is thrown by connect() itself", () => {
    expect(() => connect("localhost")).toThrow(TypeError);
    expect(() => connect("unix:/tmp/socket")).toThrow(TypeError);
    expect(() => connect({ hostname: "", port: 1 })).toThrow(TypeError);
    expect(() => connect({ hostname: "localhost", port: 70_000 })).toThrow(RangeError);
    expect(() => connect("127.0.0.1:1", { secureTransport: "maybe" as "on" })).toThrow(
      "Unsupported value in secureTransport socket option: maybe",
    );
    expect(() => connect("127.0.0.1:1", { sni: "localhost" })).toThrow(TypeError);
    expect(() => connect("127.0.0.1:1", { allowHalfOpen: "yes" as never })).toThrow(TypeError);
  });

  it("writable takes bytes: a string is a TypeError", async () => {
    const server = await echo();
    const socket = dial({ hostname: "127.0.0.1", port: server.port });
    const writer = socket.writable.getWriter();
    await expect(writer.write("text" as never)).rejects.toThrow(TypeError);
  });
});

describe("TLS", () => {
  it('secureTransport "on": TLS from the start, verified against the given CA, with sni and alpn', async () => {
    const server = await echo({ tls: true });
    const socket = dial(
      { hostname: "127.0.0.1", port: server.port },
      { secureTransport: "on", sni: "localhost", alpn: ["omnisock/1"], tls: { ca: caCert } },
    );
    expect(await within(5_000, "opened", socket.opened)).toMatchObject({ alpn: "omnisock/1" });
    const writer = socket.writable.getWriter();
    await writer.write(bytes("over TLS"));
    await writer.close();
    expect(await readAll(socket)).toBe("over TLS");
  });

  it("a certificate the CA did not sign for that name: opened and closed reject with ETLS", async () => {
    const server = await echo({ tls: true });
    const socket = connect(
      { hostname: "127.0.0.1", port: server.port },
      { secureTransport: "on", sni: "other.test", tls: { ca: caCert } },
    );
    await expect(within(5_000, "opened", socket.opened)).rejects.toMatchObject({ code: "ETLS" });
    await expect(within(5_000, "closed", socket.closed)).rejects.toMatchObject({ code: "ETLS" });
  });

  it('startTls() needs secureTransport "starttls", and works once', async () => {
    const server = await echo();
    const plain = dial({ hostname: "127.0.0.1", port: server.port });
    expect(() => plain.startTls()).toThrow(
      "The `secureTransport` socket option must be set to 'starttls' for startTls to be used.",
    );
    const secure = dial({ hostname: "127.0.0.1", port: server.port }, { secureTransport: "on" });
    expect(() => secure.startTls()).toThrow("Cannot startTls on a TLS socket.");
    const starting = dial(
      { hostname: "127.0.0.1", port: server.port },
      { secureTransport: "starttls", tls: { ca: caCert } },
    );
    const upgraded = starting.startTls();
    defer(() => upgraded.close().catch(() => {}));
    expect(() => starting.startTls()).toThrow("startTls can only be called once.");
  });

  it.runIf(capabilities.tlsUpgrade)(
    "startTls(): the plain socket closes, the new one opens after the handshake and carries the connection",
    async () => {
      const server = await startTlsServer("GO\n");
      const plain = dial(
        { hostname: "127.0.0.1", port: server.port },
        { secureTransport: "starttls", alpn: ["omnisock/1"], tls: { ca: caCert } },
      );
      const plainWriter = plain.writable.getWriter();
      await plainWriter.write(bytes("STARTTLS\n"));
      const plainReader = plain.readable.getReader();
      const { value } = await within(2_000, "the answer", plainReader.read());
      expect(text(value!)).toBe("GO\n");
      const secure = plain.startTls({ expectedServerHostname: "localhost" });
      defer(() => secure.close().catch(() => {}));
      await within(2_000, "the plain socket's closed", plain.closed);
      expect(plain.upgraded).toBe(true);
      expect(await within(5_000, "opened", secure.opened)).toMatchObject({
        remoteAddress: `127.0.0.1:${server.port}`,
        alpn: "omnisock/1",
      });
      expect(secure.secureTransport).toBe("on");
      // The plain streams are done with; the new socket's carry the connection.
      expect(await plainReader.read()).toMatchObject({ done: true });
      await expect(plainWriter.write(bytes("plaintext"))).rejects.toThrow(TypeError);
      const writer = secure.writable.getWriter();
      await writer.write(bytes("secret"));
      await writer.close();
      expect(await readAll(secure)).toBe("secret");
    },
  );

  it.runIf(!capabilities.tlsUpgrade)(
    "startTls() where the runtime cannot upgrade: the new socket's opened rejects with ENOTSUP",
    async () => {
      const server = await startTlsServer("GO\n");
      const plain = dial(
        { hostname: "127.0.0.1", port: server.port },
        { secureTransport: "starttls", tls: { ca: caCert } },
      );
      await plain.opened;
      const secure = plain.startTls();
      await expect(within(2_000, "opened", secure.opened)).rejects.toMatchObject({
        code: "ENOTSUP",
      });
    },
  );
});
