// The raw baseline on Deno: Deno.listen / Deno.connect
// (https://docs.deno.com/api/deno/~/Deno.connect). Idiomatic code: a read loop per
// connection with one reused buffer (`--read-buffer`, 64 KiB by default), and awaited
// writes that go on until the whole chunk is taken. With --tls, the same loops over
// Deno.connectTls / Deno.listenTls (https://docs.deno.com/api/deno/~/Deno.connectTls): the
// client verifies the server against the run's CA. Run with `deno run -A`.
import {
  BACKLOG,
  SERVERNAME,
  args,
  countRoundTrips,
  emit,
  fail,
  finish,
  holdConnections,
  holdServer,
  main,
  now,
  openMany,
  payload,
  pingpongClock,
  reportBulk,
  reportSmall,
  scaleRoundTrips,
  sinkCounter,
  tlsMaterial,
} from "./lib.mjs";

const secure = tlsMaterial();
const commands = { server, bulk, small, pingpong, conc, hold, scale };
main(secure ? "Deno.listenTls/connectTls" : "Deno.listen/connect", commands);

/** Deno's write may be short: write until all of `data` is taken. */
async function writeAll(conn, data) {
  let written = await conn.write(data);
  while (written < data.length) written += await conn.write(data.subarray(written));
}

function closeQuietly(conn) {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

async function open() {
  if (secure) {
    // Deno.connectTls takes one name, to resolve and to verify: "localhost", which is the
    // server's 127.0.0.1 (Deno races the addresses a name has). A TlsConn has no
    // setNoDelay. The handshake is awaited so that no scenario times it.
    const conn = await Deno.connectTls({
      hostname: SERVERNAME,
      port: args.port,
      caCerts: [secure.ca],
    });
    await conn.handshake();
    return conn;
  }
  const conn = await Deno.connect({ hostname: args.host, port: args.port });
  conn.setNoDelay(true);
  return conn;
}

async function server() {
  const { mode } = args;
  const conns = new Set();
  const hold =
    mode === "hold"
      ? holdServer(args.expect, args.settle, () => conns.forEach(closeQuietly))
      : undefined;
  if (hold) hold.baseline();
  const where = { hostname: args.host, port: args.port, tcpBacklog: BACKLOG };
  const listener = secure
    ? Deno.listenTls({ ...where, cert: secure.cert, key: secure.key })
    : Deno.listen(where);
  emit({ listening: listener.addr.port });
  for await (const conn of listener) {
    conn.setNoDelay?.(true); // a TlsConn has none
    conns.add(conn);
    if (hold) hold.accepted();
    serve(conn, mode, hold).finally(() => {
      conns.delete(conn);
      closeQuietly(conn);
      if (args.once && conns.size === 0 && mode !== "hold") finish();
    });
  }
}

async function serve(conn, mode, hold) {
  const buffer = new Uint8Array(args["read-buffer"]);
  const counter = mode === "sink" ? sinkCounter() : undefined;
  try {
    for (;;) {
      const length = await conn.read(buffer);
      if (length === null) break;
      if (mode === "echo") await writeAll(conn, buffer.subarray(0, length));
      else if (counter) counter.add(length);
      else hold.go();
    }
  } catch {
    return; // reset by the peer: the connection is simply over
  }
  counter?.report();
}

/** Read until EOF (the server closes after our FIN). */
async function drainToEnd(conn, size = 1024) {
  const buffer = new Uint8Array(size);
  try {
    while ((await conn.read(buffer)) !== null);
  } catch {
    // Closed: the same end.
  }
}

async function bulk() {
  const conn = await open();
  const chunk = payload(args.chunk);
  const started = now();
  const deadline = started + args.secs * 1000;
  let sent = 0;
  while (now() < deadline) {
    await writeAll(conn, chunk);
    sent += chunk.length;
  }
  const elapsed = now() - started;
  await conn.closeWrite();
  await drainToEnd(conn);
  reportBulk(sent, elapsed);
  finish();
}

async function small() {
  const conn = await open();
  const message = payload(args.size);
  const { count } = args;
  const started = now();
  // One awaited conn.write per message: Deno has no other way to hand over bytes.
  for (let index = 0; index < count; index++) await writeAll(conn, message);
  const elapsed = now() - started;
  await conn.closeWrite();
  await drainToEnd(conn);
  reportSmall(count, message.length, elapsed);
  finish();
}

/** One round trip: send `message`, read until `size` bytes are back. */
async function roundTrip(conn, message, buffer, size) {
  await writeAll(conn, message);
  let got = 0;
  while (got < size) {
    const length = await conn.read(buffer);
    if (length === null) throw new Error("the server closed the connection");
    got += length;
  }
  if (got > size) throw new Error(`received ${got} bytes for a ${size}-byte message`);
}

async function pingpong() {
  const conn = await open();
  const message = payload(args.size);
  const buffer = new Uint8Array(args["read-buffer"]);
  const clock = pingpongClock();
  clock.start();
  do await roundTrip(conn, message, buffer, args.size);
  while (!clock.reply());
  closeQuietly(conn);
  finish();
}

async function conc() {
  const message = payload(args.size);
  const { size } = args;
  const conns = await openMany(args.conns, args.conns, () => open());
  let roundTrips = 0;
  let running = true;
  const loops = conns.map(async (conn) => {
    const buffer = new Uint8Array(args["read-buffer"]);
    while (running) {
      await roundTrip(conn, message, buffer, size);
      roundTrips++;
    }
  });
  await countRoundTrips(conns.length, () => roundTrips);
  running = false;
  await Promise.all(loops);
  conns.forEach(closeQuietly);
  finish();
}

async function hold() {
  let reads;
  // An idle connection still has its read pending, as every Deno reader does.
  const conns = await holdConnections(open, (opened) => {
    reads = opened.map((conn) => drainToEnd(conn, args["read-buffer"]));
  });
  // Tell the server to measure its side; it closes every connection when it has.
  await writeAll(conns[0], new Uint8Array([103]));
  await reads[0];
  finish();
}

async function scale() {
  const conns = await scaleRoundTrips(
    async (received) => {
      const conn = await open();
      (async () => {
        const buffer = new Uint8Array(args["read-buffer"]);
        for (let length; (length = await conn.read(buffer)) !== null;) received(length);
      })().catch(() => {});
      return conn;
    },
    (conn, message) => void writeAll(conn, message).catch(fail),
  );
  conns.forEach(closeQuietly);
  finish();
}
