// omnisock over TCP: the same commands as the raw programs, with the public API only
// (listen, connect, socket.read(handler), write/flush, end). One program for every runtime:
// `omnisock` picks the driver by export condition (see omnisock.mjs). With --iterate, reading
// is `for await` instead (the iterator's row in the report). With --tls, the same over
// `connect(target, { tls: { ca, servername } })` and `listen({ tls: { cert, key } })`.
import {
  BACKLOG,
  SERVERNAME,
  args,
  countRoundTrips,
  emit,
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
  runtime,
  scaleRoundTrips,
  sinkCounter,
  tlsMaterial,
} from "./lib.mjs";
import { omnisock } from "./omnisock.mjs";

const secure = tlsMaterial();
// Like with like: every raw client sets TCP_NODELAY, as omnisock does by default, except Deno's
// over TLS: Deno.connectTls leaves Nagle's algorithm on and has no way to turn it off, so
// omnisock's client on Deno runs with `noDelay: false` there. In T1 that option alone was worth
// 24% to omnisock's client and 52% to raw's over Deno.startTls (BENCHMARKS.md, "Reading the
// results").
const noDelay = !(secure && runtime === "deno");
const iterate = args.iterate === true;
// What a handler that only counts bytes reads with: it keeps no chunk, so it only borrows each
// (on Deno the next read then lands in the same buffer, as in the raw program's read loop).
const borrow = { borrow: true };
main(iterate ? "omnisock for await" : "omnisock", {
  server,
  bulk,
  small,
  pingpong,
  conc,
  hold,
  scale,
});

/** Resolves once the connection is up: over TLS, once the server is verified. */
function open() {
  return omnisock.connect(
    { hostname: args.host, port: args.port },
    secure ? { tls: { ca: secure.ca, servername: SERVERNAME }, noDelay } : undefined,
  );
}

/**
 * Wait for the close that follows our end(). Over TLS a Deno server closes without a
 * close_notify, which omnisock's Deno client reports as ECONNRESET (UnexpectedEof) where Node
 * and Bun see an end: that is noted, not fatal, since the result (the sink's count) is in —
 * as the raw Deno program ignores it.
 */
async function closedAfterEnd(socket) {
  if (!secure) return socket.closed;
  await socket.closed.catch((error) => emit({ note: `closed with ${error.message}` }));
}

async function server() {
  const { mode } = args;
  // `listener.connections` tracks the open connections: no bookkeeping of our own.
  let listener;
  const hold =
    mode === "hold"
      ? holdServer(args.expect, args.settle, () => listener.connections.forEach((s) => s.reset()))
      : undefined;
  if (hold) hold.baseline();
  const where = {
    hostname: args.host,
    port: args.port,
    ...(omnisock.capabilities.backlog ? { backlog: BACKLOG } : {}),
  };
  const tls = secure && { cert: secure.cert, key: secure.key };
  const serve = iterate ? serveIterating : serveReading;
  const onConnection =
    hold && !iterate
      ? holdReading(hold)
      : async (socket) => {
          await serve(socket, mode, hold);
          await socket.close();
          if (args.once && mode !== "hold" && listener.connections.size === 0) finish();
        };
  listener = await omnisock.listen(tls ? { ...where, tls } : where, onConnection);
  emit({ listening: listener.address.port });
}

/**
 * S6's connections with `socket.read(handler)`, as a server that keeps idle connections would
 * write it: one handler for all, and no async function of ours suspended on each connection
 * (node:net's program keeps none either), so that what is measured is omnisock's own share.
 */
function holdReading(hold) {
  const onData = () => hold.go();
  // The server resets its connections when it has measured: nothing then to report.
  const ignore = () => {};
  return (socket) => {
    hold.accepted();
    socket.read(onData, borrow).catch(ignore);
  };
}

/** The echo: one handler for every connection; a full queue pauses reading until it is sent. */
function echo(chunk, socket) {
  if (!socket.write(chunk)) return socket.flush();
}

/** Serve one connection with `socket.read(handler)`. */
async function serveReading(socket, mode) {
  try {
    if (mode === "echo") {
      await socket.read(echo);
    } else {
      const counter = sinkCounter();
      await socket.read((chunk) => counter.add(chunk.byteLength), borrow);
      counter.report();
    }
  } catch {
    // The client resets its connections when it is done.
  }
}

/** Serve one connection with `for await`. */
async function serveIterating(socket, mode, hold) {
  try {
    if (mode === "echo") {
      for await (const chunk of socket) {
        if (!socket.write(chunk)) await socket.flush();
      }
    } else if (mode === "sink") {
      const counter = sinkCounter();
      for await (const chunk of socket) counter.add(chunk.byteLength);
      counter.report();
    } else {
      hold.accepted();
      for await (const _ of socket) hold.go();
    }
  } catch {
    // The client resets its connections when it is done.
  }
}

async function bulk() {
  const socket = await open();
  const chunk = payload(args.chunk);
  const started = now();
  const deadline = started + args.secs * 1000;
  let sent = 0;
  while (now() < deadline) {
    sent += chunk.length;
    if (!socket.write(chunk)) await socket.flush();
  }
  await socket.end();
  const elapsed = now() - started;
  await closedAfterEnd(socket);
  reportBulk(sent, elapsed);
  finish();
}

async function small() {
  const socket = await open();
  const message = payload(args.size);
  const { count } = args;
  const started = now();
  // One socket.write per message, as a protocol writer would; omnisock coalesces them.
  for (let index = 0; index < count; index++) {
    if (!socket.write(message)) await socket.flush();
  }
  await socket.end();
  const elapsed = now() - started;
  await closedAfterEnd(socket);
  reportSmall(count, message.length, elapsed);
  finish();
}

/**
 * Ping-pong over `socket.read(handler)`: `onReply()` after each full reply of `size` bytes;
 * it returns true to stop. Resolves once stopped.
 */
function pingpongReading(socket, size, onReply) {
  const stop = new AbortController();
  let got = 0;
  return socket.read(
    (chunk) => {
      got += chunk.byteLength;
      while (got >= size) {
        got -= size;
        if (onReply()) return stop.abort();
      }
    },
    { signal: stop.signal, borrow: true },
  );
}

/** One round trip: write `message`, read until `size` bytes are back. */
async function roundTrip(socket, reader, message, size) {
  socket.write(message);
  let got = 0;
  while (got < size) {
    const { value, done } = await reader.next();
    if (done) throw new Error("the server closed the connection");
    got += value.byteLength;
  }
  if (got > size) throw new Error(`received ${got} bytes for a ${size}-byte message`);
}

async function pingpong() {
  const socket = await open();
  const message = payload(args.size);
  const clock = pingpongClock();
  if (iterate) {
    const reader = socket[Symbol.asyncIterator]();
    clock.start();
    do await roundTrip(socket, reader, message, args.size);
    while (!clock.reply());
  } else {
    const replies = pingpongReading(socket, args.size, () => {
      if (clock.reply()) return true;
      socket.write(message);
    });
    clock.start();
    socket.write(message);
    await replies;
  }
  await socket.reset();
  finish();
}

async function conc() {
  const message = payload(args.size);
  const { size } = args;
  const sockets = await openMany(args.conns, args.conns, () => open());
  let roundTrips = 0;
  let running = true;
  const loops = sockets.map(async (socket) => {
    if (!iterate) {
      const replies = pingpongReading(socket, size, () => {
        roundTrips++;
        if (!running) return true;
        socket.write(message);
      });
      socket.write(message);
      return replies;
    }
    const reader = socket[Symbol.asyncIterator]();
    while (running) {
      await roundTrip(socket, reader, message, size);
      roundTrips++;
    }
  });
  await countRoundTrips(sockets.length, () => roundTrips);
  running = false;
  await Promise.all(loops);
  await Promise.all(sockets.map((socket) => socket.reset()));
  finish();
}

async function hold() {
  const sockets = await holdConnections(open);
  // Tell the server to measure its side; it closes every connection when it has.
  sockets[0].write("g");
  await sockets[0].closed.catch(() => {});
  finish();
}

async function scale() {
  const sockets = await scaleRoundTrips(
    async (received) => {
      const socket = await open();
      const reading = iterate
        ? (async () => {
            for await (const chunk of socket) received(chunk.byteLength);
          })()
        : socket.read((chunk) => received(chunk.byteLength), borrow);
      reading.catch(() => {});
      return socket;
    },
    (socket, message) => socket.write(message),
  );
  await Promise.all(sockets.map((socket) => socket.reset()));
  finish();
}
