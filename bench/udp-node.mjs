// The raw UDP baseline on Node (and node:dgram under Bun and Deno): node:dgram
// (https://nodejs.org/api/dgram.html). The client connects its socket to the server, so it
// sends without naming the target, as a game or DNS client would.
import dgram from "node:dgram";
import { args, emit, fail, finish, main, now, payload, reportPingpong } from "./lib.mjs";

main("node:dgram", { server, pingpong });

async function server() {
  const socket = dgram.createSocket("udp4");
  socket.on("error", fail);
  // A datagram that says "bye" ends the server (`--once`), so the runner need not kill it.
  socket.on("message", (data, remote) => {
    if (args.once && data.length === 3 && data.toString() === "bye") finish();
    socket.send(data, remote.port, remote.address);
  });
  await new Promise((resolve) => socket.bind(args.port, args.host, resolve));
  emit({ listening: socket.address().port });
}

async function pingpong() {
  const socket = dgram.createSocket("udp4");
  socket.on("error", fail);
  await new Promise((resolve) => socket.connect(args.port, args.host, resolve));
  const message = payload(args.size);
  const { size, count, warmup } = args;
  const latencies = new Float64Array(count);
  const total = warmup + count;
  let done = 0;
  let sentAt = 0;
  let timedFrom = 0;
  await new Promise((resolve) => {
    socket.on("message", (data) => {
      if (data.length !== size) fail(`received ${data.length} bytes for a ${size}-byte datagram`);
      const time = now();
      if (done >= warmup) latencies[done - warmup] = time - sentAt;
      else if (done === warmup - 1) timedFrom = time;
      done++;
      if (done === total) return resolve();
      sentAt = time;
      socket.send(message);
    });
    timedFrom = sentAt = now();
    socket.send(message);
  });
  const elapsed = now() - timedFrom;
  reportPingpong(count, elapsed, latencies);
  socket.send("bye", () => finish());
}
