// The raw baseline over node:net — on Node, and as the compatibility layer Bun and Deno
// users would otherwise pick. Idiomatic code: 'data' events, write() honouring its
// `false` with 'drain', TCP_NODELAY on. With --tls the same over node:tls (tls.connect,
// verifying the server against the run's CA, and tls.createServer). Commands: see README.md.
import net from "node:net";
import tls from "node:tls";
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
main(secure ? "node:tls" : "node:net", { server, bulk, small, pingpong, conc, hold, scale });

function open() {
  return new Promise((resolve, reject) => {
    const where = { host: args.host, port: args.port, noDelay: true };
    // tls.connect does not pass noDelay on to the TCP socket: set it once connected.
    const socket = secure
      ? tls.connect({ ...where, ca: secure.ca, servername: SERVERNAME })
      : net.connect(where);
    socket.once(secure ? "secureConnect" : "connect", () => {
      if (secure) socket.setNoDelay(true);
      socket.off("error", reject);
      socket.on("error", fail);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

async function server() {
  const { mode } = args;
  const sockets = new Set();
  const hold =
    mode === "hold"
      ? // RST, as every program that can does: 10,000 connections in TIME_WAIT would slow the next run's connects.
        holdServer(args.expect, args.settle, () => sockets.forEach((s) => s.resetAndDestroy()))
      : undefined;
  const onConnection = (socket) => {
    // tls.Server passes noDelay on to net.Server; Bun's and Deno's node:tls are not relied on.
    if (secure) socket.setNoDelay(true);
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => {
      sockets.delete(socket);
      if (args.once && sockets.size === 0 && mode !== "hold") finish();
    });
    if (mode === "echo") {
      socket.on("data", (chunk) => {
        if (!socket.write(chunk)) socket.pause();
      });
      socket.on("drain", () => socket.resume());
    } else if (mode === "sink") {
      const counter = sinkCounter();
      socket.on("data", (chunk) => counter.add(chunk.length));
      socket.on("end", () => counter.report());
    } else if (mode === "hold") {
      socket.on("data", () => hold.go());
      hold.accepted();
    }
  };
  // A TLS server's listener gets each connection once its handshake is over ('secureConnection').
  const listener = secure
    ? tls.createServer({ cert: secure.cert, key: secure.key, noDelay: true }, onConnection)
    : net.createServer({ noDelay: true }, onConnection);
  listener.on("error", fail);
  if (hold) hold.baseline();
  listener.listen({ host: args.host, port: args.port, backlog: BACKLOG }, () => {
    emit({ listening: listener.address().port });
  });
}

async function bulk() {
  const socket = await open();
  const closed = new Promise((resolve) => socket.on("close", resolve));
  socket.resume(); // read the server's FIN, so that the close follows
  const chunk = payload(args.chunk);
  const deadline = now() + args.secs * 1000;
  let sent = 0;
  const started = now();
  await new Promise((resolve) => {
    const pump = () => {
      while (now() < deadline) {
        sent += chunk.length;
        if (!socket.write(chunk)) return socket.once("drain", pump);
      }
      socket.end(resolve);
    };
    pump();
  });
  const elapsed = now() - started;
  await closed;
  reportBulk(sent, elapsed);
  finish();
}

async function small() {
  const socket = await open();
  const closed = new Promise((resolve) => socket.on("close", resolve));
  socket.resume();
  const message = payload(args.size);
  const { count } = args;
  let index = 0;
  const started = now();
  // One socket.write per message, as a protocol writer would.
  await new Promise((resolve) => {
    const pump = () => {
      while (index < count) {
        index++;
        if (!socket.write(message)) return socket.once("drain", pump);
      }
      socket.end(resolve);
    };
    pump();
  });
  const elapsed = now() - started;
  await closed;
  reportSmall(count, message.length, elapsed);
  finish();
}

async function pingpong() {
  const socket = await open();
  const message = payload(args.size);
  const { size } = args;
  const clock = pingpongClock();
  let got = 0;
  await new Promise((resolve) => {
    socket.on("data", (chunk) => {
      got += chunk.length;
      if (got < size) return;
      if (got > size) fail(`received ${got} bytes for a ${size}-byte message`);
      got = 0;
      if (clock.reply()) return resolve();
      socket.write(message);
    });
    clock.start();
    socket.write(message);
  });
  socket.destroy();
  finish();
}

async function conc() {
  const message = payload(args.size);
  const { size } = args;
  const sockets = await openMany(args.conns, args.conns, () => open());
  let roundTrips = 0;
  let running = true;
  for (const socket of sockets) {
    let got = 0;
    socket.on("data", (chunk) => {
      got += chunk.length;
      while (got >= size) {
        got -= size;
        roundTrips++;
        if (running) socket.write(message);
      }
    });
    socket.write(message);
  }
  await countRoundTrips(sockets.length, () => roundTrips);
  running = false;
  for (const socket of sockets) socket.destroy();
  finish();
}

async function hold() {
  const sockets = await holdConnections(open, (opened) => {
    for (const socket of opened) socket.on("data", () => {});
  });
  // Tell the server to measure its side; it resets every connection when it has.
  for (const socket of sockets) socket.off("error", fail).on("error", () => {});
  sockets[0].on("close", finish);
  sockets[0].write("g");
}

async function scale() {
  const sockets = await scaleRoundTrips(
    async (received) => {
      const socket = await open();
      socket.on("data", (chunk) => received(chunk.length));
      return socket;
    },
    (socket, message) => socket.write(message),
  );
  // RST, as S6 does: 10,000 connections in TIME_WAIT would slow the next run's connects.
  for (const socket of sockets) socket.resetAndDestroy();
  finish();
}
