// The raw baseline on Bun: Bun.listen / Bun.connect (https://bun.com/docs/api/tcp).
// Idiomatic code: one handler object per listener or connection kind, state in
// `socket.data`. Bun's write() returns how many bytes the kernel took and keeps none of
// the rest, so every writer here keeps the remainder and writes it on `drain`. With --tls,
// the same handlers over Bun's own TLS (the `tls` option of Bun.listen and Bun.connect): a
// client starts once its `handshake` handler has the verdict that the server verified.
import {
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
main(secure ? "Bun.listen/connect tls" : "Bun.listen/connect", commands);

/** A writer that never loses bytes: what Bun did not take waits, in order, for `drain`. */
function writer(socket) {
  const pending = [];
  let pendingBytes = 0;
  return {
    /** Write or queue; returns false while bytes wait for `drain`. */
    write(data) {
      if (pending.length === 0) {
        const taken = socket.write(data);
        if (taken === data.length) return true;
        data = taken > 0 ? data.subarray(taken) : data;
      }
      pending.push(data);
      pendingBytes += data.length;
      return false;
    },
    /** Call from `drain`: returns true once everything pending is written. */
    drain() {
      while (pending.length > 0) {
        const data = pending[0];
        const taken = socket.write(data);
        if (taken > 0) pendingBytes -= taken;
        if (taken < data.length) {
          if (taken > 0) pending[0] = data.subarray(taken);
          return false;
        }
        pending.shift();
      }
      return true;
    },
    get pendingBytes() {
      return pendingBytes;
    },
  };
}

async function server() {
  const { mode } = args;
  const sockets = new Set();
  const hold =
    mode === "hold"
      ? // RST, as every program that can does: 10,000 connections in TIME_WAIT would slow the next run's connects.
        holdServer(args.expect, args.settle, () => sockets.forEach((s) => s.terminate()))
      : undefined;
  const handlers = {
    open(socket) {
      sockets.add(socket);
      socket.setNoDelay(true);
      if (mode === "echo") socket.data = { out: writer(socket) };
      else if (mode === "sink") socket.data = { counter: sinkCounter() };
      else hold.accepted();
    },
    data(socket, chunk) {
      if (mode === "echo") {
        const { out } = socket.data;
        // Bun hands each chunk in its own buffer, so a queued chunk stays intact.
        if (!out.write(chunk) && out.pendingBytes >= 65536) socket.pause();
      } else if (mode === "sink") {
        socket.data.counter.add(chunk.length);
      } else {
        hold.go();
      }
    },
    drain(socket) {
      if (mode === "echo" && socket.data.out.drain()) socket.resume();
    },
    end(socket) {
      if (mode === "sink") socket.data.counter.report();
      socket.end();
    },
    error() {},
    close(socket) {
      sockets.delete(socket);
      if (args.once && sockets.size === 0 && mode !== "hold") finish();
    },
  };
  if (hold) hold.baseline();
  // A TLS server's `open` runs once the handshake is over (it has no `handshake` handler).
  const listener = Bun.listen({
    hostname: args.host,
    port: args.port,
    socket: handlers,
    ...(secure ? { tls: { cert: secure.cert, key: secure.key } } : {}),
  });
  emit({ listening: listener.port });
}

/**
 * Connect with `handlers`; resolves once open, and over TLS once the handshake is over and
 * the server verified (Bun.connect itself resolves on the TCP connect, when a TLS socket
 * cannot be written yet).
 */
function open(handlers) {
  return new Promise((resolve, reject) => {
    const tls = secure && { ca: [secure.ca], serverName: SERVERNAME, rejectUnauthorized: true };
    Bun.connect({
      hostname: args.host,
      port: args.port,
      ...(tls ? { tls } : {}),
      socket: {
        error: (_, error) => fail(error),
        ...handlers,
        open(socket) {
          socket.setNoDelay(true);
          if (!tls) resolve(socket);
        },
        ...(tls && {
          handshake(socket, success, error) {
            if (success) resolve(socket);
            else reject(error ?? new Error("the TLS handshake failed"));
          },
        }),
      },
    }).catch(reject);
  });
}

async function bulk() {
  let resolveClosed;
  const closed = new Promise((resolve) => (resolveClosed = resolve));
  const chunk = payload(args.chunk);
  let sent = 0;
  let offset = 0;
  let deadline = 0;
  let started = 0;
  let elapsed = 0;
  // Write whole chunks until the deadline; a short write waits for `drain`, then goes on from the offset.
  const pump = (socket) => {
    for (;;) {
      if (offset === 0 && now() >= deadline) {
        elapsed = now() - started;
        socket.end();
        return;
      }
      const taken = socket.write(offset === 0 ? chunk : chunk.subarray(offset));
      if (taken < 0) fail("write on a closed socket");
      sent += taken;
      offset += taken;
      if (offset < chunk.length) return;
      offset = 0;
    }
  };
  const socket = await open({ drain: pump, close: () => resolveClosed() });
  started = now();
  deadline = started + args.secs * 1000;
  pump(socket);
  await closed;
  reportBulk(sent, elapsed);
  finish();
}

async function small() {
  let resolveClosed;
  const closed = new Promise((resolve) => (resolveClosed = resolve));
  const message = payload(args.size);
  const { count } = args;
  let index = 0;
  let started = 0;
  let elapsed = 0;
  let out;
  // One socket.write per message; what Bun does not take is written on `drain` first.
  const pump = (socket) => {
    if (!out.drain()) return;
    while (index < count) {
      index++;
      if (!out.write(message)) return;
    }
    elapsed = now() - started;
    socket.end();
  };
  const socket = await open({ drain: pump, close: () => resolveClosed() });
  out = writer(socket);
  started = now();
  pump(socket);
  await closed;
  reportSmall(count, message.length, elapsed);
  finish();
}

async function pingpong() {
  const message = payload(args.size);
  const { size } = args;
  const clock = pingpongClock();
  let got = 0;
  let resolveDone;
  const finished = new Promise((resolve) => (resolveDone = resolve));
  let out;
  const socket = await open({
    data(socket, chunk) {
      got += chunk.length;
      if (got < size) return;
      if (got > size) fail(`received ${got} bytes for a ${size}-byte message`);
      got = 0;
      if (clock.reply()) return resolveDone();
      out.write(message);
    },
    drain: () => out.drain(),
  });
  out = writer(socket);
  clock.start();
  out.write(message);
  await finished;
  socket.terminate();
  finish();
}

async function conc() {
  const message = payload(args.size);
  const { size } = args;
  let roundTrips = 0;
  let running = true;
  const handlers = {
    data(socket, chunk) {
      const state = socket.data;
      state.got += chunk.length;
      while (state.got >= size) {
        state.got -= size;
        roundTrips++;
        if (running) state.out.write(message);
      }
    },
    drain: (socket) => socket.data.out.drain(),
  };
  const sockets = await openMany(args.conns, args.conns, () => open(handlers));
  for (const socket of sockets) {
    socket.data = { got: 0, out: writer(socket) };
    socket.data.out.write(message);
  }
  await countRoundTrips(sockets.length, () => roundTrips);
  running = false;
  for (const socket of sockets) socket.terminate();
  finish();
}

async function hold() {
  const handlers = { data() {}, close: () => finish() };
  const sockets = await holdConnections(() => open(handlers));
  // Tell the server to measure its side; it closes every connection when it has (the first close ends this).
  sockets[0].write("g");
}

async function scale() {
  const handlers = {
    data: (socket, chunk) => socket.data.received(chunk.length),
    drain: (socket) => socket.data.out.drain(),
  };
  const sockets = await scaleRoundTrips(
    async (received) => {
      const socket = await open(handlers);
      // Set before the first message goes: no answer can come sooner.
      socket.data = { received, out: writer(socket) };
      return socket;
    },
    (socket, message) => socket.data.out.write(message),
  );
  for (const socket of sockets) socket.terminate();
  finish();
}
