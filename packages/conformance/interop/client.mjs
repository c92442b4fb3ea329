// The client side of the interop checks, the same file on Node, Bun and Deno (Deno needs
// `-A --unstable-net` for UDP). It imports only `omnisock`.
//
//   <runtime> client.mjs '<the JSON line peer.mjs printed>'
//
// Runs its checks against the peer, one after the other, each bounded in time, and prints
// one JSON line: {"runtime", "tlsUpgrade", "tcp": {ok, …}, "tls": …, "starttls": …,
// "udp": {ok, …}, "unix": {ok, …} | null, "tlsClose": …}. The last check closes a TLS
// connection and the process exits right after printing: its close_notify must be out by then.
// A check that fails has `ok: false` and an `error`; the process still exits 0, so that the
// caller sees every check's outcome. Only a bad argument exits 2.
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import process from "node:process";
import { bind, capabilities, connect, lines, runtime } from "omnisock";

const TCP_BYTES = 16 * 1024 * 1024;
const CHUNK = 64 * 1024;
const DATAGRAMS = 1_000;
/** Datagrams in flight at once: well under what a loopback socket buffer holds, so none is dropped. */
const WINDOW = 32;
const UNIX_BYTES = 1024 * 1024;
const STARTTLS_BYTES = 1024 * 1024;

let peer;
try {
  peer = JSON.parse(process.argv[2] ?? "");
} catch {
  console.error("usage: client.mjs '<the JSON line peer.mjs printed>'");
  process.exit(2);
}

/** `promise`, or a rejection naming `what` once `ms` have passed. */
async function within(ms, what, promise) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** Run a check: its result with `ok` and the time it took, or the error it failed with. */
async function check(name, limit, run) {
  const started = performance.now();
  try {
    const result = await within(limit, name, run());
    return { ok: true, ms: Math.round(performance.now() - started), ...result };
  } catch (error) {
    return {
      ok: false,
      ms: Math.round(performance.now() - started),
      error: String(error?.stack ?? error),
      code: error?.code,
    };
  }
}

/** A chunk of random bytes (getRandomValues fills at most 64 KiB at a time). */
function randomBytes(length) {
  const bytes = new Uint8Array(length);
  for (let offset = 0; offset < length; offset += 65_536) {
    crypto.getRandomValues(bytes.subarray(offset, Math.min(length, offset + 65_536)));
  }
  return bytes;
}

/** Everything the socket delivers until the peer ends it. */
async function readAll(socket) {
  const chunks = [];
  for await (const chunk of socket) chunks.push(chunk);
  return Buffer.concat(chunks);
}

// 16 MiB of random bytes, then a half-close; the peer answers with the digest it computed.
async function tcpCheck() {
  const socket = await connect({ hostname: "127.0.0.1", port: peer.tcp }, { timeout: 5_000 });
  try {
    const hash = createHash("sha256");
    const reading = readAll(socket);
    reading.catch(() => {});
    for (let sent = 0; sent < TCP_BYTES; sent += CHUNK) {
      const chunk = randomBytes(CHUNK);
      hash.update(chunk);
      if (!socket.write(chunk)) await socket.flush();
    }
    await socket.end();
    const answer = (await reading).toString("utf8").trim();
    const expected = `${hash.digest("hex")} ${TCP_BYTES}`;
    if (answer !== expected)
      throw new Error(`the peer answered "${answer}", expected "${expected}"`);
    return { bytes: TCP_BYTES, sha256: expected.split(" ")[0], stats: socket.stats };
  } finally {
    await socket.close();
  }
}

/** `bytes` random bytes after an 8-byte length; resolves once the peer's digest matches. */
async function sendForDigest(socket, bytes) {
  const hash = createHash("sha256");
  const reading = readAll(socket);
  reading.catch(() => {});
  const header = new Uint8Array(8);
  new DataView(header.buffer).setBigUint64(0, BigInt(bytes));
  socket.write(header);
  for (let sent = 0; sent < bytes; sent += CHUNK) {
    const chunk = randomBytes(Math.min(CHUNK, bytes - sent));
    hash.update(chunk);
    if (!socket.write(chunk)) await socket.flush();
  }
  const answer = (await reading).toString("utf8").trim();
  const expected = `${hash.digest("hex")} ${bytes}`;
  if (answer !== expected) throw new Error(`the peer answered "${answer}", expected "${expected}"`);
  return expected.split(" ")[0];
}

// 16 MiB over TLS, verified against the test CA (the file OMNISOCK_TLS_CA names), after an
// 8-byte length; the peer answers with the digest it computed.
async function tlsCheck() {
  const ca = readFileSync(process.env.OMNISOCK_TLS_CA ?? "", "utf8");
  const socket = await connect(
    { hostname: "127.0.0.1", port: peer.tls },
    { timeout: 5_000, tls: { ca, servername: "localhost" } },
  );
  try {
    const sha256 = await sendForDigest(socket, TCP_BYTES);
    return { bytes: TCP_BYTES, sha256, secure: socket.secure };
  } finally {
    await socket.close();
  }
}

/** The next line, through omnisock's own framing; the other side sends nothing more until answered. */
async function readLine(socket) {
  for await (const line of lines().decode(socket)) return line;
  throw new Error("the connection ended before a whole line");
}

// A STARTTLS dialogue: the server's greeting, "STARTTLS", "GO", then both ends upgrade and
// 1 MiB goes over TLS for the server's digest. Each side that cannot upgrade shows its own
// runtime's answer instead: `client` / `server` are "upgraded" or the code startTls gave.
async function startTlsCheck() {
  const tls = {
    ca: readFileSync(process.env.OMNISOCK_TLS_CA ?? "", "utf8"),
    servername: "localhost",
  };
  const plain = await connect({ hostname: "127.0.0.1", port: peer.starttls }, { timeout: 5_000 });
  let socket = plain;
  try {
    // Refused before any I/O where the runtime cannot: the connection stays plain.
    const client = capabilities.tlsUpgrade
      ? undefined
      : await plain.startTls(tls).then(
          () => "upgraded",
          (error) => error.code,
        );
    const greeting = await readLine(plain);
    if (greeting.startsWith("NO ")) return { client, server: greeting.slice(3) };
    if (greeting !== "HELLO STARTTLS") throw new Error(`the server greeted "${greeting}"`);
    if (client !== undefined) {
      plain.write("QUIT\n");
      return { client, server: "offered" };
    }
    plain.write("STARTTLS\n");
    const go = await readLine(plain);
    if (go !== "GO") throw new Error(`the server answered "${go}"`);
    socket = await plain.startTls(tls);
    const sha256 = await sendForDigest(socket, STARTTLS_BYTES);
    return {
      client: "upgraded",
      server: "upgraded",
      bytes: STARTTLS_BYTES,
      sha256,
      secure: socket.secure,
      plainBytes: plain.stats.bytesSent + plain.stats.bytesReceived,
    };
  } finally {
    await socket.close();
  }
}

// "bye" over TLS, then close(): the peer reads to the end and says how it ended. Run last, so
// that the process exits as soon as close() has resolved.
async function tlsCloseCheck() {
  const ca = readFileSync(process.env.OMNISOCK_TLS_CA ?? "", "utf8");
  const socket = await connect(
    { hostname: "127.0.0.1", port: peer.tlsClose },
    { timeout: 5_000, tls: { ca, servername: "localhost" } },
  );
  socket.write("bye");
  await socket.close();
  return { bytes: 3 };
}

// 1,000 datagrams of 8 to 1,407 bytes, each numbered and otherwise random, at most WINDOW in
// flight; every echo must come back once, with exactly the bytes that were sent.
async function udpCheck() {
  const socket = await bind({ hostname: "127.0.0.1", port: 0 });
  try {
    const target = { hostname: "127.0.0.1", port: peer.udp };
    const sent = [];
    const received = new Set();
    const problems = [];
    let inFlight = 0;
    let wake;
    const reading = (async () => {
      for await (const { data } of socket) {
        const index = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0);
        const original = sent[index];
        if (original === undefined) problems.push(`an echo with an unknown number ${index}`);
        else if (received.has(index)) problems.push(`datagram ${index} came back twice`);
        else if (!Buffer.from(original).equals(Buffer.from(data)))
          problems.push(`datagram ${index} came back changed`);
        received.add(index);
        inFlight -= 1;
        wake?.();
        if (received.size === DATAGRAMS) return;
      }
    })();
    reading.catch(() => {});
    const sending = (async () => {
      for (let index = 0; index < DATAGRAMS; index += 1) {
        // Bounded: a lost datagram stalls the window, and the limit below ends the wait.
        while (inFlight >= WINDOW) await new Promise((resolve) => (wake = resolve));
        const datagram = randomBytes(8 + ((index * 37) % 1_400));
        new DataView(datagram.buffer).setUint32(0, index);
        sent[index] = datagram;
        inFlight += 1;
        await socket.send(datagram, target);
      }
    })();
    sending.catch(() => {});
    try {
      await within(3_500, "udp", Promise.all([sending, reading]));
    } catch (error) {
      // Say how far it got: which datagrams never came back.
      const missing = [];
      for (let index = 0; index < sent.length && missing.length < 5; index += 1) {
        if (!received.has(index)) missing.push(index);
      }
      throw new Error(
        `${error.message}: ${sent.length} sent, ${received.size} came back; missing ${missing.join(", ")}…` +
          (problems.length > 0 ? `; ${problems.slice(0, 5).join("; ")}` : ""),
      );
    }
    if (problems.length > 0) throw new Error(problems.slice(0, 5).join("; "));
    return { datagrams: received.size, stats: socket.stats };
  } finally {
    await socket.close();
  }
}

// 1 MiB of random bytes to the Unix echo, read back whole, then a half-close.
async function unixCheck() {
  const socket = await connect({ path: peer.unix }, { timeout: 5_000 });
  try {
    const data = randomBytes(UNIX_BYTES);
    const chunks = [];
    let length = 0;
    const reading = (async () => {
      for await (const chunk of socket) {
        chunks.push(chunk);
        length += chunk.byteLength;
        if (length >= UNIX_BYTES) return;
      }
    })();
    reading.catch(() => {});
    for (let offset = 0; offset < UNIX_BYTES; offset += CHUNK) {
      if (!socket.write(data.subarray(offset, offset + CHUNK))) await socket.flush();
    }
    await reading;
    if (!Buffer.concat(chunks).equals(Buffer.from(data)))
      throw new Error(`the echo of ${length} bytes differs from what was sent`);
    return { bytes: length };
  } finally {
    await socket.close();
  }
}

const result = {
  runtime,
  tlsUpgrade: capabilities.tlsUpgrade,
  tcp: await check("tcp", 5_000, tcpCheck),
  tls: peer.tls ? await check("tls", 5_000, tlsCheck) : null,
  starttls: peer.starttls ? await check("starttls", 2_000, startTlsCheck) : null,
  udp: await check("udp", 4_000, udpCheck),
  unix: peer.unix ? await check("unix", 3_000, unixCheck) : null,
  tlsClose: peer.tlsClose ? await check("tlsClose", 1_000, tlsCloseCheck) : null,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
// Whatever a failed check left open does not keep the process alive.
process.exit(0);
