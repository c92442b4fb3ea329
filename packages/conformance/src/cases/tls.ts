// TLS over each runtime's own TLS: verified by default, the same view of a secure socket on
// every runtime, and every verification failure an ETLS. Certificates: src/fixtures/tls.ts.
import { type Server, type Socket, SocketError, lines } from "@omnisock/core";
import { describe, expect, it } from "vitest";
import type { Api, ConformanceContext } from "../context.js";
import {
  caCert,
  clientCert,
  clientKey,
  expiredCert,
  expiredKey,
  futureCert,
  futureKey,
  impostorCert,
  impostorKey,
  otherCert,
  otherKey,
  serverCert,
  serverKey,
} from "../fixtures/tls.js";
import {
  ByteReader,
  acceptingServer,
  concat,
  connectTo,
  defer,
  deferred,
  echo,
  eventually,
  expectBorrowedChunksIntact,
  expectKeptChunksIntact,
  expectSocketError,
  expectSyncSocketError,
  failure,
  listenLocal,
  portOf,
  pseudoRandomBytes,
  sha256,
  sleep,
  text,
  until,
  within,
} from "../helpers.js";

async function tlsServer(
  api: Api,
  onConnection: (socket: Socket) => unknown = echo,
  tls: Record<string, unknown> = {},
): Promise<Server> {
  const server = await api.listen(
    { hostname: "127.0.0.1", port: 0, tls: { cert: serverCert, key: serverKey, ...tls } },
    onConnection,
  );
  defer(() => server.close({ graceful: false }));
  return server;
}

async function tlsConnect(
  api: Api,
  server: Server,
  tls: Record<string, unknown> = {},
  host = "localhost",
): Promise<Socket> {
  const socket = await api.connect(`${host}:${portOf(server.address)}`, {
    timeout: 5_000,
    tls: { ca: caCert, ...tls },
  });
  defer(() => socket.reset());
  return socket;
}

/** A TLS server with the test certificate, a client connected to it (`options` for connect), and the server's side. */
async function tlsPair(api: Api, options: Record<string, unknown> = {}) {
  const { server, accepted } = await acceptingServer(api, {
    tls: { cert: serverCert, key: serverKey },
  });
  const client = await api.connect(`localhost:${portOf(server.address)}`, {
    timeout: 5_000,
    tls: { ca: caCert },
    ...options,
  });
  defer(() => client.reset());
  return { server, client, peer: await accepted() };
}

/**
 * A STARTTLS dialogue on a fresh connection to `localhost`: the server's plaintext greeting,
 * the client's "STARTTLS", the server's "GO"; then the server upgrades with `serverTls` (its
 * certificate by default) and the client with `clientTls` (the test CA by default). The
 * server calls startTls in the same tick as it writes "GO", as a server must.
 */
async function startTlsDialogue(
  api: Api,
  serverTls: Record<string, unknown> = {},
  clientTls: Record<string, unknown> = {},
  beforeUpgrade?: (plainClient: Socket) => void,
) {
  const { server, accepted } = await acceptingServer(api);
  const plainClient = await connectTo(api, `localhost:${portOf(server.address)}`);
  const plainPeer = await accepted();
  const clientReader = new ByteReader(plainClient);
  plainPeer.write("HELLO\n");
  expect(await clientReader.readText(6)).toBe("HELLO\n");
  plainClient.write("STARTTLS\n");
  expect(await new ByteReader(plainPeer).readText(9)).toBe("STARTTLS\n");
  plainPeer.write("GO\n");
  const serverSide = plainPeer.startTls({ cert: serverCert, key: serverKey, ...serverTls });
  serverSide.then((peer) => defer(() => peer.reset())).catch(() => {});
  expect(await clientReader.readText(3)).toBe("GO\n");
  beforeUpgrade?.(plainClient);
  const clientSide = plainClient.startTls({ ca: caCert, ...clientTls });
  clientSide.then((client) => defer(() => client.reset())).catch(() => {});
  return { server, plainClient, plainPeer, clientSide, serverSide };
}

/**
 * A round trip, then `reset()` on one end: the other end's read and `closed` fail with
 * ECONNRESET. The round trip first: a TLS 1.3 server writes its session tickets just after the
 * handshake, and when that write is what meets the RST, Node drops its error and the next
 * read sees an end.
 */
async function expectResetSeen(resetting: Socket, peer: Socket): Promise<void> {
  resetting.write("ping");
  expect(await new ByteReader(peer).readText(4)).toBe("ping");
  peer.write("pong");
  expect(await new ByteReader(resetting).readText(4)).toBe("pong");
  const reading = new ByteReader(peer).readToEnd();
  reading.catch(() => {});
  await within(2_000, "reset", resetting.reset());
  expect(resetting.state).toBe("closed");
  await expectSocketError("ECONNRESET", () => reading);
  await expectSocketError("ECONNRESET", () => peer.closed);
  // The side that reset it closed on purpose: no error there.
  await expect(resetting.closed).resolves.toBeUndefined();
}

/** A TLS server with the given certificate, and a client that trusts the test CA. */
async function refusedWith(api: Api, cert: string, key: string): Promise<SocketError> {
  const server = await tlsServer(api, echo, { cert, key });
  return expectSocketError("ETLS", async () => {
    const socket = await tlsConnect(api, server);
    // Where the refusal only shows at the first read (it should not: the client verifies).
    socket.write("x");
    await new ByteReader(socket).read(1);
    return socket;
  });
}

/** The first byte of a TLS handshake record (the ClientHello). */
const TLS_HANDSHAKE = 22;

/** A plain connection to python3's STARTTLS server, its request (`line`) written. */
async function askPythonToStartTls(
  api: Api,
  startTlsPeer: NonNullable<ConformanceContext["externalStartTlsPeer"]>,
  line = "STARTTLS\n",
): Promise<Socket> {
  const peer = await startTlsPeer(serverCert, serverKey);
  defer(() => peer.close());
  const plain = await connectTo(api, `localhost:${peer.port}`);
  plain.write(line);
  return plain;
}

/** The server's 3-byte answer, through `socket.readable`'s reader (kept locked). */
async function readAnswer(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  let answer = "";
  while (answer.length < 3) {
    const { value, done } = await within(5_000, "the answer", reader.read());
    if (done) break;
    answer += text(value);
  }
  return answer;
}

/**
 * `startTls()` with python3's STARTTLS server: its first words over TLS (its version and ALPN
 * protocol: none), then an echo.
 */
async function upgradeToPython(plain: Socket): Promise<Socket> {
  const secure = await within(5_000, "startTls", plain.startTls({ ca: caCert }));
  defer(() => secure.reset());
  const reader = new ByteReader(secure);
  expect(await reader.readText("TLSv1.3 None\n".length)).toBe("TLSv1.3 None\n");
  await expectEcho(secure, 64 * 1024, reader);
  return secure;
}

async function expectEcho(
  secure: Socket,
  length: number,
  reader = new ByteReader(secure),
): Promise<void> {
  const data = pseudoRandomBytes(length);
  const echoed = reader.read(data.byteLength, 10_000);
  secure.write(data);
  expect(await sha256(await echoed)).toBe(await sha256(data));
}

/**
 * A STARTTLS server made of omnisock parts, so that a case chooses the plaintext part: a plain
 * server plays `dialogue` on a connection, then relays the rest, which must be TLS, to
 * a TLS echo server with the test certificate. `received` tells what the dialogue read and the
 * first byte after it.
 */
export async function startTlsServer(
  api: Api,
  dialogue: (reader: ByteReader, socket: Socket) => Promise<string>,
): Promise<{ port: number; received: Promise<{ plaintext: string; next: number | undefined }> }> {
  const backend = await tlsServer(api);
  const received = deferred<{ plaintext: string; next: number | undefined }>();
  const front = await listenLocal(api, async (socket) => {
    try {
      const reader = new ByteReader(socket);
      const plaintext = await dialogue(reader, socket);
      const first = await reader.chunk();
      received.resolve({ plaintext, next: first?.[0] });
      if (first === undefined) return;
      const upstream = await connectTo(api, backend.address);
      upstream.write(first);
      void (async () => {
        for await (const chunk of upstream) socket.write(chunk);
        await socket.end();
      })().catch(() => {});
      for (;;) {
        const chunk = await reader.chunk(10_000);
        if (chunk === undefined) break;
        upstream.write(chunk);
      }
      await upstream.end();
    } catch (error) {
      received.reject(error);
      socket.reset();
    }
  });
  return { port: portOf(front.address), received: received.promise };
}

/**
 * A plain socket to a STARTTLS server that answers "GO" and then never answers the handshake
 * (the ClientHello is far shorter than what it waits for), the answer read.
 */
async function silentAfterGo(api: Api, options: Record<string, unknown>): Promise<Socket> {
  const { port } = await startTlsServer(api, async (reader, socket) => {
    const request = await reader.readText(9);
    socket.write("GO\n");
    await reader.read(1024 * 1024, 10_000).catch(() => {});
    return request;
  });
  const plain = await connectTo(api, `localhost:${port}`, options);
  plain.write("STARTTLS\n");
  expect(await new ByteReader(plain).readText(3)).toBe("GO\n");
  return plain;
}

/** `startTls(options)` fails with `code`, and the plain socket is closed. */
async function expectFailedUpgrade(
  plain: Socket,
  code: string,
  options: Record<string, unknown> = { ca: caCert },
): Promise<void> {
  await expectSocketError(code, () => plain.startTls(options));
  await within(
    2_000,
    "closed",
    plain.closed.catch(() => {}),
  );
  expect(plain.state).toBe("closed");
}

/**
 * The delayed ACK a Nagle stall waits for: Linux's shortest (TCP_DELACK_MIN, 40 ms); macOS and
 * Windows wait longer.
 */
const DELAYED_ACK = 40;

/**
 * `rounds` requests from `asker` to `answerer`, each written in two ticks (two small writes
 * with a timer between them, so that each leaves in a segment of its own) and answered once
 * whole; returns how many round trips took a delayed ACK or longer. With Nagle's algorithm on
 * the asker, its second segment waits for the ACK of the first, and the answerer delays that
 * ACK (it has nothing to send until the request is whole): nearly every round trip stalls for
 * 40 ms or more, where with TCP_NODELAY one takes well under a millisecond.
 */
async function stalledRoundTrips(asker: Socket, answerer: Socket, rounds = 20): Promise<number> {
  const answering = (async () => {
    const reader = new ByteReader(answerer);
    for (let round = 0; round < rounds; round++) {
      await reader.read(8);
      answerer.write("answered");
    }
  })();
  answering.catch(() => {}); // awaited below; a failure meanwhile is the reader's too
  const reader = new ByteReader(asker);
  let stalled = 0;
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    asker.write("half");
    await sleep(0);
    asker.write("more");
    expect(await reader.readText(8)).toBe("answered");
    if (performance.now() - started >= DELAYED_ACK) stalled++;
  }
  await answering;
  return stalled;
}

/** Of 20 round trips with TCP_NODELAY, at most this many may be slow (a busy host); Nagle stalls nearly all. */
const FEW_STALLS = 5;

/**
 * Follows a TLS byte stream record by record (a 5-byte header: type, version, length), to tell
 * how it ended: on a record boundary, and with which record.
 */
export class TlsRecords {
  readonly #header = new Uint8Array(5);
  #headerLength = 0;
  #bodyLeft = 0;
  /** The last record whose header has been seen. */
  last: { type: number; length: number } | undefined;
  /**
   * The stream is over: its FIN, or an RST (once a closed peer is sent something, as its own
   * close_notify answered, its kernel answers with one, which may overtake the FIN).
   */
  ended = false;

  add(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.byteLength) {
      if (this.#bodyLeft > 0) {
        const take = Math.min(this.#bodyLeft, chunk.byteLength - at);
        this.#bodyLeft -= take;
        at += take;
        continue;
      }
      this.#header[this.#headerLength++] = chunk[at++]!;
      if (this.#headerLength < 5) continue;
      const length = (this.#header[3]! << 8) | this.#header[4]!;
      this.last = { type: this.#header[0]!, length };
      this.#bodyLeft = length;
      this.#headerLength = 0;
    }
  }

  /**
   * Whether the stream ended with a whole alert record: close_notify, if the connection was
   * closed on purpose. TLS 1.2 sends an alert as type 21; TLS 1.3 disguises every record as
   * application data (23), and an alert's is then 19 bytes long: the alert's 2, the inner
   * content type and the 16-byte AEAD tag (RFC 8446, 5.2). No data record here has that length.
   */
  get endsWithAlert(): boolean {
    const { last } = this;
    const whole = this.#headerLength === 0 && this.#bodyLeft === 0;
    return whole && (last?.type === 21 || (last?.type === 23 && last.length === 19));
  }
}

/**
 * A TLS server (the test certificate) behind a plain relay, and a TLS client connected through
 * the relay: `toServer` and `toClient` follow the records going each way. `cut()` ends the
 * client's side of the relay with a plain FIN, as a peer that skips close_notify would.
 */
async function relayedTls(api: Api) {
  const { server, accepted } = await acceptingServer(api, {
    tls: { cert: serverCert, key: serverKey },
  });
  const toServer = new TlsRecords();
  const toClient = new TlsRecords();
  const front = deferred<Socket>();
  const relay = await listenLocal(api, async (socket) => {
    front.resolve(socket);
    try {
      const back = await connectTo(api, server.address);
      void pump(socket, back, toServer);
      void pump(back, socket, toClient);
    } catch {
      socket.reset();
    }
  });
  const client = await tlsConnect(api, relay);
  const peer = await accepted();
  const cut = async () => void (await front.promise).end();
  return { client, peer, toServer, toClient, cut };
}

/** Relay `from` to `to`, recording the records, then pass the end on. */
async function pump(from: Socket, to: Socket, records: TlsRecords): Promise<void> {
  try {
    for await (const chunk of from) {
      records.add(chunk);
      if (to.state === "open" || to.state === "readClosed") to.write(chunk);
    }
  } catch {
    // An RST: what came before it has been recorded.
  }
  records.ended = true;
  await to.end().catch(() => {});
}

export function tlsCases(api: Api, context: ConformanceContext): void {
  const {
    tls,
    tlsClientCertificate,
    tlsClientAuth,
    tlsSessionInfo,
    tlsNoVerify,
    tlsUpgrade,
    tlsServerUpgrade,
    tlsReset,
    tlsUpgradeBeforeData,
    tlsServerNoDelay,
    tlsKeepAlive,
  } = api.capabilities;
  const tcpTimer = context.kernel?.tcpTimer;
  const startTlsPeer = tlsUpgrade ? context.externalStartTlsPeer : undefined;
  const startTlsClient = tlsServerUpgrade ? context.externalStartTlsClient : undefined;
  const bothUpgrade = tlsUpgrade && tlsServerUpgrade;

  describe.runIf(tls)("tls", () => {
    it("echoes over TLS, verified against the CA, with the same view of it on both sides", async () => {
      const { server, accepted } = await acceptingServer(api, {
        tls: { cert: serverCert, key: serverKey, alpnProtocols: ["omnisock/1", "h2"] },
      });
      const client = await tlsConnect(api, server, { alpnProtocols: ["h2"] });
      const peer = await accepted();
      expect(client.tls?.servername).toBe("localhost");
      for (const socket of [client, peer]) {
        expect(socket.secure).toBe(true);
        expect(socket.tls?.alpnProtocol).toBe("h2");
        expect(Object.keys(socket.tls!).sort()).toEqual([
          "alpnProtocol",
          "cipher",
          "protocol",
          "servername",
        ]);
        if (tlsSessionInfo) {
          expect(socket.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
          expect(socket.tls?.cipher).toMatch(/^TLS_[A-Z0-9_]+$/);
          expect(socket.tls?.servername).toBe("localhost");
        } else {
          expect(socket.tls?.protocol).toBeUndefined();
          expect(socket.tls?.cipher).toBeUndefined();
        }
      }
      expect(client.tls?.cipher).toBe(peer.tls?.cipher);
      void echo(peer);
      client.write("hello");
      expect(await new ByteReader(client).readText(5)).toBe("hello");
      // Application bytes, not TLS records.
      expect(client.stats).toMatchObject({ bytesSent: 5, bytesReceived: 5 });
      expect(api.monitor.sockets().find((entry) => entry.id === client.id)).toMatchObject({
        secure: true,
      });
    });

    it("a plain socket says so", async () => {
      const { server } = await acceptingServer(api);
      const socket = await api.connect(server.address, { timeout: 5_000 });
      defer(() => socket.reset());
      expect(socket.secure).toBe(false);
      expect(socket.tls).toBeUndefined();
    });

    it("moves 4 MiB intact", async () => {
      const server = await tlsServer(api);
      const client = await tlsConnect(api, server);
      const data = pseudoRandomBytes(4 * 1024 * 1024);
      const reader = new ByteReader(client);
      const reading = reader.read(data.byteLength, 15_000);
      client.write(data);
      expect(await sha256(await reading)).toBe(await sha256(data));
    });

    it("chunks the reader keeps stay intact while later records arrive", async () => {
      const { client, peer } = await tlsPair(api);
      await expectKeptChunksIntact(client, peer, 4 * 1024 * 1024);
    });

    it("a handler that borrows its records gets every byte, between readers that keep theirs, both ways", async () => {
      const { client, peer } = await tlsPair(api);
      await expectBorrowedChunksIntact(client, peer, 4 * 1024 * 1024);
      await expectBorrowedChunksIntact(peer, client, 4 * 1024 * 1024);
    });

    it("a write's bytes are the socket's once write() returns: the caller may refill its buffer at once", async () => {
      const { client, peer } = await tlsPair(api);
      // 4 KiB messages from one buffer, refilled after each write, some in the same tick (queued
      // by the socket) and some after a timer (handed to the driver at once, as they come), to
      // a reader that lags, so that the kernel's buffers fill now and then.
      const size = 4 * 1024;
      const messages = 1_024;
      const sent = pseudoRandomBytes(messages * size);
      const received = (async () => {
        const chunks: Uint8Array[] = [];
        let length = 0;
        const reader = new ByteReader(peer);
        while (length < sent.byteLength) {
          const chunk = await reader.read(Math.min(64 * 1024, sent.byteLength - length), 15_000);
          chunks.push(chunk);
          length += chunk.byteLength;
          await sleep(1);
        }
        return concat(chunks);
      })();
      received.catch(() => {}); // awaited below
      const buffer = new Uint8Array(size);
      for (let index = 0; index < messages; index++) {
        buffer.set(sent.subarray(index * size, (index + 1) * size));
        client.write(buffer);
        buffer.fill(0xee);
        if (index % 4 === 3) await sleep(0);
      }
      expect(await sha256(await within(15_000, "the messages", received))).toBe(await sha256(sent));
    });

    it("verifies an IP literal target against the certificate's IP addresses", async () => {
      const server = await tlsServer(api);
      const client = await tlsConnect(api, server, {}, "127.0.0.1");
      expect(client.secure).toBe(true);
      expect(client.tls?.servername).toBeUndefined(); // no SNI for an IP literal (RFC 6066)
    });

    it("no ALPN agreed: alpnProtocol is undefined", async () => {
      const { server, accepted } = await acceptingServer(api, {
        tls: { cert: serverCert, key: serverKey },
      });
      const client = await tlsConnect(api, server);
      await accepted();
      expect(client.tls?.alpnProtocol).toBeUndefined();
    });

    it("an unknown CA is ETLS: the runtime's roots do not know the test CA", async () => {
      const server = await tlsServer(api);
      const error = await expectSocketError("ETLS", () =>
        api.connect(`localhost:${portOf(server.address)}`, { timeout: 5_000, tls: true }),
      );
      expect(error.cause).toBeDefined();
    });

    it("a name mismatch is ETLS", async () => {
      await refusedWith(api, otherCert, otherKey);
    });

    it("a servername the certificate does not carry is ETLS", async () => {
      const server = await tlsServer(api);
      await expectSocketError("ETLS", () => tlsConnect(api, server, { servername: "other.test" }));
    });

    it("an expired certificate is ETLS", async () => {
      await refusedWith(api, expiredCert, expiredKey);
    });

    it("a certificate not yet valid is ETLS", async () => {
      await refusedWith(api, futureCert, futureKey);
    });

    it("a self-signed impostor is ETLS", async () => {
      await refusedWith(api, impostorCert, impostorKey);
    });

    it("a plaintext server is ETLS or ECONNRESET, never a hang", async () => {
      // Accepts and writes a plaintext greeting, as an SMTP server would.
      const plain = await api.listen({ hostname: "127.0.0.1", port: 0 }, (socket) => {
        socket.write("220 plaintext greeting\r\n");
      });
      defer(() => plain.close({ graceful: false }));
      const error = (await failure(() =>
        api.connect(`localhost:${portOf(plain.address)}`, { timeout: 5_000, tls: { ca: caCert } }),
      )) as SocketError;
      expect(["ETLS", "ECONNRESET"]).toContain(error.code);
    });

    it("a peer that closes mid-handshake is ETLS or ECONNRESET", async () => {
      const plain = await api.listen({ hostname: "127.0.0.1", port: 0 }, (socket) => {
        void socket.close();
      });
      defer(() => plain.close({ graceful: false }));
      const error = (await failure(() =>
        api.connect(`localhost:${portOf(plain.address)}`, { timeout: 5_000, tls: { ca: caCert } }),
      )) as SocketError;
      expect(["ETLS", "ECONNRESET"]).toContain(error.code);
    });

    it("the connect timeout covers the handshake: a server that never answers is ETIMEDOUT", async () => {
      const silent = await api.listen({ hostname: "127.0.0.1", port: 0 }, () => {});
      defer(() => silent.close({ graceful: false }));
      const started = performance.now();
      await expectSocketError("ETIMEDOUT", () =>
        api.connect(`localhost:${portOf(silent.address)}`, { timeout: 300, tls: { ca: caCert } }),
      );
      expect(performance.now() - started).toBeLessThan(3_000);
    });

    it("an abort during the handshake is EABORTED", async () => {
      const silent = await api.listen({ hostname: "127.0.0.1", port: 0 }, () => {});
      defer(() => silent.close({ graceful: false }));
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      await expectSocketError("EABORTED", () =>
        api.connect(`localhost:${portOf(silent.address)}`, {
          signal: controller.signal,
          tls: { ca: caCert },
        }),
      );
    });

    it.runIf(tlsClientCertificate && tlsClientAuth)(
      "a server that requires a client certificate accepts one signed by its CA",
      async () => {
        const { server, accepted } = await acceptingServer(api, {
          tls: { cert: serverCert, key: serverKey, ca: caCert, requestCert: true },
        });
        const client = await tlsConnect(api, server, { cert: clientCert, key: clientKey });
        const peer = await accepted();
        void echo(peer);
        client.write("signed");
        expect(await new ByteReader(client).readText(6)).toBe("signed");
      },
    );

    it.runIf(tlsClientAuth)(
      "a server that requires a client certificate refuses a client without one",
      async () => {
        const server = await tlsServer(api, echo, { ca: caCert, requestCert: true });
        const before = server.stats.refused;
        // TLS 1.3: the client's handshake is over before the server judges its certificate, so
        // the refusal may only show when it reads (ECONNRESET, or the server's alert as ETLS).
        const error = (await failure(async () => {
          const socket = await tlsConnect(api, server);
          socket.write("x");
          await new ByteReader(socket).read(1, 5_000);
          return socket;
        })) as SocketError;
        expect(["ETLS", "ECONNRESET"]).toContain(error.code);
        await until(5_000, "the refusal counted", () => server.stats.refused > before);
      },
    );

    it.runIf(tlsClientCertificate && tlsClientAuth)(
      "a server that requires a client certificate refuses one its CA did not sign",
      async () => {
        const { server, accepted } = await acceptingServer(api, {
          tls: { cert: serverCert, key: serverKey, ca: caCert, requestCert: true },
        });
        // The server refuses with a plain close (no alert, Node and Bun) or an alert: the
        // client sees an end with no data, ETLS or ECONNRESET.
        const outcome = await (async () => {
          const socket = await tlsConnect(api, server, { cert: impostorCert, key: impostorKey });
          socket.write("x");
          return new ByteReader(socket).readToEnd(5_000);
        })().catch((error: SocketError) => error);
        if (outcome instanceof Uint8Array) expect(outcome.byteLength).toBe(0);
        else expect(["ETLS", "ECONNRESET"]).toContain(outcome.code);
        // Never handed out.
        await expect(accepted(300)).rejects.toThrow("no answer");
        expect(server.stats.accepted).toBe(0);
      },
    );

    it.runIf(tlsNoVerify)(
      "rejectUnauthorized: false accepts a server the client cannot verify",
      async () => {
        const server = await tlsServer(api, echo, { cert: impostorCert, key: impostorKey });
        const client = await tlsConnect(api, server, { ca: undefined, rejectUnauthorized: false });
        client.write("trust");
        expect(await new ByteReader(client).readText(5)).toBe("trust");
      },
    );

    it.runIf(context.externalTlsPeer !== undefined)(
      "talks to a TLS server omnisock did not write (python3's ssl), with ALPN",
      async () => {
        const peer = await context.externalTlsPeer!(serverCert, serverKey);
        defer(() => peer.close());
        const client = await api.connect(`localhost:${peer.port}`, {
          timeout: 5_000,
          tls: { ca: caCert, alpnProtocols: ["omnisock/1"] },
        });
        defer(() => client.reset());
        expect(client.tls?.alpnProtocol).toBe("omnisock/1");
        const reader = new ByteReader(client);
        const greeting = await reader.readText("TLSv1.3 omnisock/1\n".length);
        expect(greeting).toBe("TLSv1.3 omnisock/1\n");
        const data = pseudoRandomBytes(256 * 1024);
        const echoed = reader.read(data.byteLength, 10_000);
        client.write(data);
        expect(await sha256(await echoed)).toBe(await sha256(data));
      },
    );

    it.runIf(startTlsPeer !== undefined)(
      "startTls(): a plaintext dialogue, then TLS on the same connection",
      async () => {
        const plain = await askPythonToStartTls(api, startTlsPeer!);
        expect(await new ByteReader(plain).readText(3)).toBe("GO\n");
        const secure = await upgradeToPython(plain);
        expect(secure.secure).toBe(true);
        expect(secure.tls?.servername).toBe("localhost");
        expect(plain.state).toBe("closed");
        expect(() => plain.write("x")).toThrow(SocketError);
      },
    );

    it.runIf(startTlsPeer !== undefined)(
      "startTls() after reading the answer through lines().decode(socket)",
      async () => {
        const plain = await askPythonToStartTls(api, startTlsPeer!);
        const answer = await within(
          5_000,
          "the answer",
          (async () => {
            for await (const line of lines().decode(plain)) return line;
            return undefined;
          })(),
        );
        expect(answer).toBe("GO");
        await upgradeToPython(plain);
      },
    );

    it.runIf(startTlsPeer !== undefined)(
      "startTls() after reading the answer through socket.readable's reader, released",
      async () => {
        const plain = await askPythonToStartTls(api, startTlsPeer!);
        const reader = plain.readable.getReader();
        expect(await readAnswer(reader)).toBe("GO\n");
        reader.releaseLock();
        await upgradeToPython(plain);
      },
    );

    it.runIf(startTlsPeer !== undefined)(
      "startTls() refuses, with ETLS, while plaintext that followed the server's answer is unread",
      async () => {
        const plain = await askPythonToStartTls(api, startTlsPeer!, "STARTTLS-INJECT\n");
        // The answer through a reader that then gives way with a read pending: what follows
        // is received into the socket, unread (a runtime that reads only for a reader has
        // one pending then too).
        const reader = plain.readable.getReader();
        expect(await readAnswer(reader)).toBe("GO\n");
        const pending = reader.read();
        pending.catch(() => {});
        reader.releaseLock();
        await until(5_000, "the injected bytes", () => plain.stats.bytesReceived >= 3 + 8);
        await expectFailedUpgrade(plain, "ETLS");
      },
    );

    it.runIf(startTlsPeer !== undefined)(
      "plaintext injected after the answer fails the handshake with ETLS, whether received or not",
      async () => {
        const plain = await askPythonToStartTls(api, startTlsPeer!, "STARTTLS-INJECT\n");
        expect(await new ByteReader(plain).readText(3)).toBe("GO\n");
        // The injection comes 50 ms after the answer: in the socket (refused before the
        // handshake) or still in the kernel, where the handshake reads it as a broken record.
        await expectFailedUpgrade(plain, "ETLS");
      },
    );

    it.runIf(startTlsPeer !== undefined)(
      "a startTls() handshake that fails verification is ETLS, and the plain socket is closed",
      async () => {
        const plain = await askPythonToStartTls(api, startTlsPeer!);
        expect(await new ByteReader(plain).readText(3)).toBe("GO\n");
        await expectFailedUpgrade(plain, "ETLS", { ca: caCert, servername: "elsewhere.example" });
      },
    );

    it.runIf(tlsUpgrade)(
      "writes queued before startTls() go out as plaintext before the handshake, once each",
      async () => {
        const queued = ["MAIL ", "FROM:", "<a@b>\r\n", "x".repeat(20_000), "\r\n"];
        const plaintext = queued.join("");
        const { port, received } = await startTlsServer(api, async (reader, socket) => {
          expect(await reader.readText(9)).toBe("STARTTLS\n");
          socket.write("GO\n");
          return text(await reader.read(plaintext.length));
        });
        const plain = await connectTo(api, `localhost:${port}`);
        plain.write("STARTTLS\n");
        expect(await new ByteReader(plain).readText(3)).toBe("GO\n");
        for (const part of queued) plain.write(part);
        const secure = await within(5_000, "startTls", plain.startTls({ ca: caCert }));
        defer(() => secure.reset());
        const { plaintext: before, next } = await within(5_000, "the front's view", received);
        expect(before).toBe(plaintext);
        expect(next, "a TLS handshake record follows").toBe(TLS_HANDSHAKE);
        expect(plain.stats.bytesSent).toBe("STARTTLS\n".length + plaintext.length);
        await expectEcho(secure, 64 * 1024);
        expect(secure.stats.bytesSent).toBe(64 * 1024);
      },
    );

    it.runIf(tlsUpgradeBeforeData)(
      "startTls() before the peer has sent anything (a PROXY protocol header, then TLS)",
      async () => {
        const header = "PROXY TCP4 127.0.0.1 127.0.0.1 1 2\r\n";
        const { port, received } = await startTlsServer(api, async (reader) =>
          text(await reader.read(header.length)),
        );
        const plain = await connectTo(api, `localhost:${port}`);
        plain.write(header);
        const secure = await within(5_000, "startTls", plain.startTls({ ca: caCert }));
        defer(() => secure.reset());
        const { plaintext, next } = await within(5_000, "the front's view", received);
        expect(plaintext).toBe(header);
        expect(next).toBe(TLS_HANDSHAKE);
        await expectEcho(secure, 1024);
      },
    );

    it.runIf(tlsUpgrade && !tlsUpgradeBeforeData && startTlsPeer !== undefined)(
      "startTls() before the peer has sent anything is ENOTSUP, before any I/O: the dialogue goes on",
      async () => {
        const peer = await startTlsPeer!(serverCert, serverKey);
        defer(() => peer.close());
        const plain = await connectTo(api, `localhost:${peer.port}`);
        const error = await expectSocketError("ENOTSUP", () => plain.startTls({ ca: caCert }));
        expect(error.message).toContain(api.runtime);
        expect(plain.state).toBe("open");
        plain.write("STARTTLS\n");
        expect(await new ByteReader(plain).readText(3)).toBe("GO\n");
        await upgradeToPython(plain);
      },
    );

    it.runIf(tlsUpgrade)(
      "the connect timeout covers startTls()'s handshake: a server that never answers it is ETIMEDOUT",
      async () => {
        const plain = await silentAfterGo(api, { timeout: 300 });
        const started = performance.now();
        await expectFailedUpgrade(plain, "ETIMEDOUT");
        expect(performance.now() - started).toBeLessThan(3_000);
      },
    );

    it.runIf(tlsUpgrade)(
      "the connect signal covers startTls()'s handshake: an abort meanwhile is EABORTED",
      async () => {
        const controller = new AbortController();
        const plain = await silentAfterGo(api, { signal: controller.signal });
        setTimeout(() => controller.abort(), 100);
        await expectFailedUpgrade(plain, "EABORTED");
      },
    );

    it.runIf(tlsUpgrade)(
      "startTls() refuses, with ETLS, while plaintext is left over in a framing decoder whose loop was left",
      async () => {
        // A plain server that answers STARTTLS with its go-ahead and an injection in one write,
        // as a man in the middle would, and then says nothing: only the refusal ends the case.
        const server = await listenLocal(api, async (socket) => {
          try {
            for await (const line of lines().decode(socket)) {
              if (line === "STARTTLS") socket.write("GO\nINJECTED");
            }
          } catch {
            // The client's refusal resets the connection.
          }
        });
        const plain = await connectTo(api, server.address);
        plain.write("STARTTLS\n");
        const answer = await within(
          5_000,
          "the answer",
          (async () => {
            for await (const line of lines().decode(plain)) {
              // Both parts are in: in the decoder (one read), or after it in the socket (two).
              await until(5_000, "the injected bytes", () => plain.stats.bytesReceived >= 11);
              return line;
            }
          })(),
        );
        expect(answer).toBe("GO");
        const error = await expectSocketError("ETLS", () =>
          within(5_000, "startTls", plain.startTls({ ca: caCert })),
        );
        expect(error.message).toMatch(/8 bytes of plaintext .* unread/);
        await within(
          5_000,
          "closed",
          plain.closed.catch(() => {}),
        );
        expect(plain.state).toBe("closed");
      },
    );
    describe("a server's STARTTLS: startTls() on an accepted socket", () => {
      it.runIf(bothUpgrade)(
        "a plaintext dialogue, then both ends upgrade: 64 KiB echoed, the same view of TLS on both sides",
        async () => {
          const dialogue = await startTlsDialogue(
            api,
            { alpnProtocols: ["omnisock/1"] },
            { alpnProtocols: ["omnisock/1"] },
          );
          const { server, plainClient, plainPeer } = dialogue;
          const client = await within(5_000, "the client's startTls", dialogue.clientSide);
          const peer = await within(5_000, "the server's startTls", dialogue.serverSide);
          for (const socket of [client, peer]) {
            expect(socket.secure).toBe(true);
            expect(socket.tls?.alpnProtocol).toBe("omnisock/1");
            if (tlsSessionInfo) {
              expect(socket.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
              expect(socket.tls?.cipher).toMatch(/^TLS_[A-Z0-9_]+$/);
              expect(socket.tls?.servername).toBe("localhost");
            }
          }
          expect(client.tls?.cipher).toBe(peer.tls?.cipher);
          // The plain sockets are done with; their counters hold the plaintext only.
          for (const plain of [plainClient, plainPeer]) {
            expect(plain.state).toBe("closed");
            expect(plain.secure).toBe(false);
            expect(() => plain.write("x")).toThrow(SocketError);
          }
          expect(plainClient.stats).toMatchObject({ bytesSent: 9, bytesReceived: 9 });
          expect(plainPeer.stats).toMatchObject({ bytesSent: 9, bytesReceived: 9 });
          // The connection lives on in the secure socket, also as the server's.
          expect([...server.connections]).toEqual([peer]);
          void echo(peer);
          const data = pseudoRandomBytes(64 * 1024);
          const echoed = new ByteReader(client).read(data.byteLength, 10_000);
          client.write(data);
          expect(await sha256(await echoed)).toBe(await sha256(data));
          // Application bytes, not TLS records.
          expect(client.stats).toMatchObject({
            bytesSent: data.byteLength,
            bytesReceived: data.byteLength,
          });
          await until(5_000, "the server's count", () => peer.stats.bytesSent === data.byteLength);
          expect(peer.stats.bytesReceived).toBe(data.byteLength);
          const entries = api.monitor.sockets();
          for (const socket of [client, peer]) {
            expect(entries.find((entry) => entry.id === socket.id)).toMatchObject({ secure: true });
          }
          for (const plain of [plainClient, plainPeer]) {
            expect(entries.find((entry) => entry.id === plain.id)).toBeUndefined();
          }
        },
      );

      it.runIf(tlsServerUpgrade)(
        "refuses with ETLS, and closes, while plaintext the client pipelined after STARTTLS in the same write is unread (CVE-2011-0411)",
        async () => {
          const { server, accepted } = await acceptingServer(api);
          const client = await connectTo(api, server.address);
          const peer = await accepted();
          // One write: the command, then plaintext an attacker wants read as if sent over TLS.
          const pipelined = new Uint8Array(9 + 2 * 1024 * 1024).fill(0x78);
          pipelined.set(new TextEncoder().encode("STARTTLS\n"));
          client.write(pipelined);
          const first = (await new ByteReader(peer).chunk())!;
          expect(new TextDecoder().decode(first.subarray(0, 9))).toBe("STARTTLS\n");
          // More of that write reaches the socket than the server has read: unread plaintext.
          await until(5_000, "unread plaintext", () => peer.stats.bytesReceived > first.byteLength);
          peer.write("GO\n");
          const error = await expectSocketError("ETLS", () =>
            peer.startTls({ cert: serverCert, key: serverKey }),
          );
          expect(error.message).toContain("unread");
          await within(
            5_000,
            "closed",
            peer.closed.catch(() => {}),
          );
          expect(peer.state).toBe("closed");
          expect(server.connections.size).toBe(0);
        },
      );

      it.runIf(bothUpgrade)(
        "startTls() on a client connected to an IP literal with no options verifies that address",
        async () => {
          const { server, accepted } = await acceptingServer(api);
          // No options, its target being its peer's address: the socket derives the name to verify.
          const plain = await api.connect(`127.0.0.1:${portOf(server.address)}`);
          defer(() => plain.reset());
          const peer = await accepted();
          peer.write("GO\n");
          const serverSide = peer.startTls({ cert: serverCert, key: serverKey });
          serverSide.then((secure) => defer(() => secure.reset())).catch(() => {});
          expect(await new ByteReader(plain).readText(3)).toBe("GO\n");
          const secure = await within(5_000, "startTls", plain.startTls({ ca: caCert }));
          defer(() => secure.reset());
          expect(secure.secure).toBe(true);
          expect(secure.tls?.servername).toBeUndefined(); // no SNI for an IP literal (RFC 6066)
          void echo(await within(5_000, "the server's startTls", serverSide));
          secure.write("over TLS");
          expect(await new ByteReader(secure).readText(8)).toBe("over TLS");
        },
      );

      it.runIf(bothUpgrade && tlsClientCertificate && tlsClientAuth)(
        "requestCert: a client certificate signed by the CA is accepted",
        async () => {
          const dialogue = await startTlsDialogue(
            api,
            { ca: caCert, requestCert: true },
            { cert: clientCert, key: clientKey },
          );
          const client = await within(5_000, "the client's startTls", dialogue.clientSide);
          const peer = await within(5_000, "the server's startTls", dialogue.serverSide);
          void echo(peer);
          client.write("signed");
          expect(await new ByteReader(client).readText(6)).toBe("signed");
        },
      );

      it.runIf(bothUpgrade && tlsClientAuth)(
        "requestCert: a client without a certificate is refused with ETLS, and the connection closed",
        async () => {
          const dialogue = await startTlsDialogue(api, { ca: caCert, requestCert: true });
          const error = await expectSocketError("ETLS", () => dialogue.serverSide);
          expect(error.cause).toBeDefined();
          expect(dialogue.plainPeer.state).toBe("closed");
          expect(dialogue.server.connections.size).toBe(0);
          // TLS 1.3: the client may finish its handshake before the server judges it, and then
          // sees the refusal at its first read.
          const outcome = await dialogue.clientSide
            .then((client) => {
              client.write("x");
              return new ByteReader(client).readToEnd(5_000);
            })
            .catch((failed: SocketError) => failed);
          if (outcome instanceof Uint8Array) expect(outcome.byteLength).toBe(0);
          else expect(["ETLS", "ECONNRESET"]).toContain(outcome.code);
        },
      );

      it.runIf(bothUpgrade && tlsClientCertificate && tlsClientAuth)(
        "requestCert: a certificate the CA did not sign is refused with ETLS naming the reason",
        async () => {
          const dialogue = await startTlsDialogue(
            api,
            { ca: caCert, requestCert: true },
            { cert: impostorCert, key: impostorKey },
          );
          dialogue.clientSide.catch(() => {});
          const error = await expectSocketError("ETLS", () => dialogue.serverSide);
          expect(error.message.length).toBeGreaterThan("ETLS".length);
          expect(error.cause).toBeDefined();
          expect(dialogue.server.connections.size).toBe(0);
        },
      );

      it.runIf(tls)(
        "bad options are a TypeError before any I/O, with listen({ tls })'s messages",
        async () => {
          const { server, accepted } = await acceptingServer(api);
          const client = await connectTo(api, server.address);
          const peer = await accepted();
          const cases: [options: unknown, names: string][] = [
            [{ key: serverKey }, "options.cert"],
            [{ cert: serverCert, key: serverKey, ca: 42 }, "options.ca"],
            [{ cert: serverCert, key: serverKey, alpnProtocols: "h2" }, "options.alpnProtocols"],
            [{ cert: serverCert, key: serverKey, requestCert: "yes" }, "options.requestCert"],
            [true, "options"],
          ];
          for (const [options, names] of cases) {
            const error = await failure(() => peer.startTls(options as never));
            expect(error, String(error)).toBeInstanceOf(TypeError);
            expect((error as Error).message).toContain(`"${names}"`);
            // One normalizer: listen({ tls }) says the same of the same option.
            const listening = await failure(() =>
              api.listen({ hostname: "127.0.0.1", port: 0, tls: options as never }),
            );
            expect((listening as Error).message.replaceAll('"options.tls', '"options')).toBe(
              (error as Error).message,
            );
          }
          // A client's defaults mean nothing to a server: it needs its certificate and key.
          expect(await failure(() => peer.startTls())).toBeInstanceOf(TypeError);
          // Nothing happened to the connection: it is still open, and plain.
          expect(peer.state).toBe("open");
          peer.write("still plain\n");
          expect(await new ByteReader(client).readText(12)).toBe("still plain\n");
        },
      );

      it.runIf(startTlsClient !== undefined)(
        "a STARTTLS client omnisock did not write (python3's ssl) verifies the server's certificate and name",
        async () => {
          const { server, accepted } = await acceptingServer(api);
          const python = await startTlsClient!(portOf(server.address), caCert);
          defer(() => python.close());
          const plain = await accepted();
          expect(await new ByteReader(plain).readText(9)).toBe("STARTTLS\n");
          plain.write("GO\n");
          const secure = await within(
            5_000,
            "startTls",
            plain.startTls({ cert: serverCert, key: serverKey }),
          );
          defer(() => secure.reset());
          const data = pseudoRandomBytes(64 * 1024);
          const echoed = new ByteReader(secure).read(data.byteLength, 10_000);
          secure.write(data);
          expect(await sha256(await echoed)).toBe(await sha256(data));
          await within(5_000, "close", secure.close());
          expect(await within(10_000, "python3's answer", python.done)).toMatch(
            new RegExp(`^TLSv1\\.[23] ${data.byteLength}$`),
          );
        },
      );
    });

    it("an idle timeout closes a TLS socket whose peer reads nothing, without waiting on it", async () => {
      // The peer takes nothing, so neither what is queued nor a close_notify can reach it: the
      // close must not wait for them (the connection would stay open for as long as the peer).
      const { server, accepted } = await acceptingServer(api, {
        tls: { cert: serverCert, key: serverKey },
      });
      const client = await tlsConnect(api, server);
      const peer = await accepted();
      defer(() => peer.reset());
      client.write(new Uint8Array(32 * 1024 * 1024));
      await eventually(5_000, "the peer to stop taking bytes", async () => {
        const before = client.stats.bytesSent;
        await sleep(100);
        return client.stats.bytesSent === before;
      });
      client.setTimeout(100);
      await expectSocketError("ETIMEDOUT", () => within(3_000, "the close", client.closed));
      expect(client.state).toBe("closed");
    });

    describe("reset() of a TLS socket", () => {
      it.runIf(tlsReset)(
        "sends an RST: the peer's read fails with ECONNRESET, either way round",
        async () => {
          const { server, accepted } = await acceptingServer(api, {
            tls: { cert: serverCert, key: serverKey },
          });
          for (const clientResets of [true, false]) {
            const client = await tlsConnect(api, server);
            const peer = await accepted();
            if (clientResets) await expectResetSeen(client, peer);
            else await expectResetSeen(peer, client);
          }
        },
      );

      it.runIf(tlsReset && bothUpgrade)(
        "an upgraded (STARTTLS) socket sends an RST too, either way round",
        async () => {
          for (const clientResets of [true, false]) {
            const dialogue = await startTlsDialogue(api);
            const client = await within(5_000, "the client's startTls", dialogue.clientSide);
            const peer = await within(5_000, "the server's startTls", dialogue.serverSide);
            if (clientResets) await expectResetSeen(client, peer);
            else await expectResetSeen(peer, client);
          }
        },
      );

      it.runIf(tls && !tlsReset)(
        "without RST (capabilities.tlsReset false): the socket closes, and the peer sees the end",
        async () => {
          const { server, accepted } = await acceptingServer(api, {
            tls: { cert: serverCert, key: serverKey },
          });
          const client = await tlsConnect(api, server);
          const peer = await accepted();
          await within(2_000, "reset", client.reset());
          expect(client.state).toBe("closed");
          expect((await new ByteReader(peer).readToEnd()).byteLength).toBe(0);
        },
      );
    });

    describe("TCP_NODELAY (noDelay, on by default): a request written in two ticks is not held back", () => {
      it("a TLS client's requests go out at once: no Nagle stall", async () => {
        const { client, peer } = await tlsPair(api);
        expect(await stalledRoundTrips(client, peer)).toBeLessThanOrEqual(FEW_STALLS);
      });

      it("the check sees Nagle's stall: a TLS client with noDelay: false", async () => {
        const { client, peer } = await tlsPair(api, { noDelay: false });
        expect(await stalledRoundTrips(client, peer)).toBeGreaterThan(10);
      });

      it.runIf(tlsServerNoDelay)(
        "a TLS server's answers go out at once, and setNoDelay(false) / (true) on either TLS socket takes effect",
        async () => {
          const { client, peer } = await tlsPair(api);
          expect(await stalledRoundTrips(peer, client)).toBeLessThanOrEqual(FEW_STALLS);
          peer.setNoDelay(false);
          expect(await stalledRoundTrips(peer, client)).toBeGreaterThan(10);
          peer.setNoDelay(true);
          client.setNoDelay(false);
          expect(await stalledRoundTrips(client, peer)).toBeGreaterThan(10);
          client.setNoDelay(true);
          expect(await stalledRoundTrips(client, peer)).toBeLessThanOrEqual(FEW_STALLS);
        },
      );

      it.runIf(tls && !tlsServerNoDelay)(
        "without tlsServerNoDelay: a TLS server's sockets keep Nagle; noDelay: true and a change by setNoDelay() are ENOTSUP",
        async () => {
          const refused = await expectSocketError("ENOTSUP", () =>
            api.listen({
              hostname: "127.0.0.1",
              port: 0,
              noDelay: true,
              tls: { cert: serverCert, key: serverKey },
            }),
          );
          expect(refused.message).toContain(api.runtime);
          // The default is not refused, and noDelay: false is what the socket gets.
          const { server, accepted } = await acceptingServer(api, {
            noDelay: false,
            tls: { cert: serverCert, key: serverKey },
          });
          const client = await tlsConnect(api, server);
          const peer = await accepted();
          // What the documented default means: the server's answers stall.
          expect(await stalledRoundTrips(peer, client)).toBeGreaterThan(10);
          expectSyncSocketError("ENOTSUP", () => peer.setNoDelay(true));
          peer.setNoDelay(false); // what it has: nothing to change
          // A client's TCP_NODELAY was set before TLS: kept, and a change is ENOTSUP too.
          client.setNoDelay(true);
          expectSyncSocketError("ENOTSUP", () => client.setNoDelay(false));
          expect(await stalledRoundTrips(client, peer)).toBeLessThanOrEqual(FEW_STALLS);
        },
      );
    });

    describe("TCP_NODELAY across STARTTLS", () => {
      it.runIf(bothUpgrade)(
        "setNoDelay(false) before startTls() still holds after it",
        async () => {
          const dialogue = await startTlsDialogue(api, {}, {}, (plain) => plain.setNoDelay(false));
          const client = await within(5_000, "the client's startTls", dialogue.clientSide);
          const peer = await within(5_000, "the server's startTls", dialogue.serverSide);
          expect(await stalledRoundTrips(client, peer)).toBeGreaterThan(10);
        },
      );
    });

    describe("TCP keepalive on a TLS socket", () => {
      it.runIf(tlsKeepAlive && tcpTimer !== undefined)(
        "setKeepAlive() on either TLS socket reaches its TCP connection: the kernel's keepalive timer starts and stops",
        async () => {
          const { client, peer } = await tlsPair(api);
          const [near, far] = [portOf(client.localAddress), portOf(peer.localAddress)];
          for (const [socket, local, remote] of [
            [client, near, far],
            [peer, far, near],
          ] as const) {
            socket.setKeepAlive(true, 5_000);
            // Right after the handshake the session tickets may still await their ACK: the
            // retransmit timer shows until then.
            await eventually(3_000, "the keepalive timer", async () => {
              return (await tcpTimer!(local, remote))?.kind === "keepalive";
            });
            socket.setKeepAlive(false);
            expect(await tcpTimer!(local, remote)).toEqual({ kind: "none", ms: 0 });
          }
        },
      );

      it.runIf(tls && !tlsKeepAlive)(
        "without tlsKeepAlive: setKeepAlive() on a TLS socket is ENOTSUP, on either side",
        async () => {
          const { client, peer } = await tlsPair(api);
          for (const socket of [client, peer]) {
            const error = expectSyncSocketError("ENOTSUP", () => socket.setKeepAlive(true));
            expect(error.message).toContain(api.runtime);
          }
          // Still a working connection.
          void echo(peer);
          client.write("alive");
          expect(await new ByteReader(client).readText(5)).toBe("alive");
        },
      );
    });

    describe("closing a TLS socket", () => {
      it("close() sends close_notify last, either way round, and the peer reads a clean end", async () => {
        for (const clientCloses of [true, false]) {
          const { client, peer, toServer, toClient } = await relayedTls(api);
          const [closing, reading, records] = clientCloses
            ? [client, peer, toServer]
            : [peer, client, toClient];
          closing.write("bye");
          const read = new ByteReader(reading).readToEnd();
          await within(5_000, "close", closing.close());
          expect(text(await read), `what the peer read (client closes: ${clientCloses})`).toBe(
            "bye",
          );
          await until(5_000, "the end at the relay", () => records.ended);
          expect(
            records.endsWithAlert,
            `the last record (client closes: ${clientCloses}): ${JSON.stringify(records.last)}`,
          ).toBe(true);
        }
      });

      it("a peer that closes the TCP connection without close_notify is read as the end, as node:tls and Bun do", async () => {
        const { client, peer, cut } = await relayedTls(api);
        peer.write("bye");
        const reader = new ByteReader(client);
        expect(await reader.readText(3)).toBe("bye");
        await cut();
        expect((await reader.readToEnd()).byteLength).toBe(0);
      });
    });

    it("maxConnections applies to TLS connections", async () => {
      const server = await tlsServer(api, echo, {});
      server.maxConnections = 1;
      const first = await tlsConnect(api, server);
      first.write("one");
      expect(await new ByteReader(first).readText(3)).toBe("one");
      const second = await tlsConnect(api, server).catch((error: unknown) => error);
      if (second instanceof Error) return; // refused before the handshake ended
      const ended = await new ByteReader(second as Socket)
        .readToEnd(5_000)
        .catch(() => new Uint8Array(0));
      expect(ended.byteLength).toBe(0);
      expect(server.stats.refused).toBeGreaterThanOrEqual(1);
    });
  });
}
