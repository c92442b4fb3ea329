// The server side of the interop checks, the same file on Node, Bun and Deno (Deno needs
// `-A --unstable-net` for UDP). It imports only `omnisock`, so the runtime's own resolver
// must pick the right driver through the export conditions.
//
//   <runtime> peer.mjs [--unix <path>] [--lifetime <ms>]
//
// Serves, on 127.0.0.1 with ports the system picks:
// - TCP: reads until the client half-closes, then answers `<sha256 hex> <bytes>\n` and ends;
// - UDP: sends every datagram back to its sender;
// - TLS (with the certificate and key in the files OMNISOCK_TLS_CERT / OMNISOCK_TLS_KEY name):
//   reads an 8-byte length, then that many bytes, answers `<sha256 hex> <bytes>\n`;
// - STARTTLS, with the same certificate: greets "HELLO STARTTLS\n" where the runtime can upgrade
//   an accepted socket (capabilities.tlsServerUpgrade), reads "STARTTLS\n", answers "GO\n" and
//   upgrades with startTls({ cert, key }), then serves as the TLS listener does; where it
//   cannot, greets "NO <code>\n" with the code its own startTls answered (ENOTSUP), as an SMTP
//   server that cannot upgrade does not offer STARTTLS;
// - TLS close (the same certificate): reads until the client closes, then prints one JSON line
//   {"closeRead":{"bytes","end"}}, `end` being "end" for a clean end, else the error's code;
// - Unix: echoes every byte back (skipped when the runtime has no Unix sockets).
// When ready it prints one JSON line: {"runtime","tlsServerUpgrade","tcp","tls","starttls",
// "tlsClose","udp","unix"}. It exits when its stdin
// closes (the parent went away) or after --lifetime ms (30 s by default), whichever is first.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { bind, capabilities, lines, listen, runtime, SocketError } from "omnisock";

const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
};
const lifetime = Number(option("--lifetime") ?? 30_000);
const unixPath = option("--unix") ?? join(tmpdir(), `omnisock-peer-${process.pid}.sock`);

/** A stream, or a datagram loop, that failed for a reason other than the network: a bug. */
function report(what, error) {
  if (error instanceof SocketError) return;
  console.error(`[peer ${runtime}] ${what} failed:`, error);
  process.exitCode = 1;
}

// The client half-closes after its last byte; the answer goes back on the other half.
const tcp = await listen(
  { hostname: "127.0.0.1", port: 0, allowHalfOpen: true },
  async (socket) => {
    try {
      const hash = createHash("sha256");
      let bytes = 0;
      for await (const chunk of socket) {
        hash.update(chunk);
        bytes += chunk.byteLength;
      }
      socket.write(`${hash.digest("hex")} ${bytes}\n`);
      await socket.end();
    } catch (error) {
      report("a TCP connection", error);
    } finally {
      await socket.close();
    }
  },
);

// No half-close over TLS: the length goes first, and the answer follows the last byte.
async function answerDigest(socket) {
  const hash = createHash("sha256");
  let expected;
  let bytes = 0;
  for await (let chunk of socket) {
    if (expected === undefined) {
      expected = Number(new DataView(chunk.buffer, chunk.byteOffset, 8).getBigUint64(0));
      chunk = chunk.subarray(8);
    }
    hash.update(chunk);
    bytes += chunk.byteLength;
    if (bytes >= expected) break;
  }
  socket.write(`${hash.digest("hex")} ${bytes}\n`);
  await socket.flush();
}

/** The next line, through omnisock's own framing; the other side sends nothing more until answered. */
async function readLine(socket) {
  for await (const line of lines().decode(socket)) return line;
  throw new Error("the connection ended before a whole line");
}

const certificate = process.env.OMNISOCK_TLS_CERT
  ? {
      cert: readFileSync(process.env.OMNISOCK_TLS_CERT, "utf8"),
      key: readFileSync(process.env.OMNISOCK_TLS_KEY ?? "", "utf8"),
    }
  : undefined;

const tls = certificate
  ? await listen({ hostname: "127.0.0.1", port: 0, tls: certificate }, async (socket) => {
      try {
        await answerDigest(socket);
      } catch (error) {
        report("a TLS connection", error);
      } finally {
        await socket.close();
      }
    })
  : undefined;

const starttls = certificate
  ? await listen({ hostname: "127.0.0.1", port: 0 }, async (plain) => {
      let socket = plain;
      try {
        if (!capabilities.tlsServerUpgrade) {
          // The runtime's own answer, given before any I/O: the connection stays plain.
          const code = await plain.startTls(certificate).then(
            () => "upgraded",
            (error) => error.code,
          );
          plain.write(`NO ${code}\n`);
          return;
        }
        plain.write("HELLO STARTTLS\n");
        const command = await readLine(plain);
        if (command !== "STARTTLS") return; // a client that cannot upgrade says QUIT
        // The go-ahead, and the upgrade in the same tick: what arrives next is the client's TLS.
        plain.write("GO\n");
        socket = await plain.startTls(certificate);
        await answerDigest(socket);
      } catch (error) {
        report("a STARTTLS connection", error);
      } finally {
        await socket.close();
      }
    })
  : undefined;

const tlsClose = certificate
  ? await listen({ hostname: "127.0.0.1", port: 0, tls: certificate }, async (socket) => {
      let bytes = 0;
      let end = "end";
      try {
        for await (const chunk of socket) bytes += chunk.byteLength;
      } catch (error) {
        end = error?.code ?? String(error);
      }
      process.stdout.write(`${JSON.stringify({ closeRead: { bytes, end } })}\n`);
    })
  : undefined;

const udp = await bind({ hostname: "127.0.0.1", port: 0 });
const udpLoop = (async () => {
  for await (const { data, remote } of udp) {
    try {
      await udp.send(data, remote);
    } catch (error) {
      report("a UDP echo", error);
    }
  }
})().catch((error) => report("the UDP loop", error));

const echo = async (socket) => {
  try {
    for await (const chunk of socket) {
      if (!socket.write(chunk)) await socket.flush();
    }
  } catch (error) {
    report("a Unix connection", error);
  } finally {
    await socket.close();
  }
};
const unix = capabilities.unix ? await listen({ path: unixPath }, echo) : undefined;

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  clearTimeout(timer);
  const closing = Promise.all([
    tcp.close({ graceful: false }),
    tls?.close({ graceful: false }),
    starttls?.close({ graceful: false }),
    tlsClose?.close({ graceful: false }),
    unix?.close({ graceful: false }),
    udp.close().then(() => udpLoop),
  ]);
  // Closing is bounded too: whatever is still open after a second goes with the process.
  await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 1_000))]);
  process.exit();
}
const timer = setTimeout(stop, lifetime);
process.stdin.on("end", stop);
process.stdin.on("close", stop);
process.stdin.on("error", stop);
process.stdin.resume();

process.stdout.write(
  `${JSON.stringify({
    runtime,
    tlsServerUpgrade: capabilities.tlsServerUpgrade,
    tcp: tcp.address.port,
    tls: tls?.address.port ?? null,
    starttls: starttls?.address.port ?? null,
    tlsClose: tlsClose?.address.port ?? null,
    udp: udp.localAddress.port,
    unix: unix ? unixPath : null,
  })}\n`,
);
