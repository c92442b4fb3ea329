// The raw UDP baseline on Node (and node:dgram under Bun and Deno): node:dgram
// (https://nodejs.org/api/dgram.html). The client connects its socket to the server, so it
// sends without naming the target, as a game or DNS client would.
import dgram from "node:dgram";
import { args, emit, fail, finish, main, payload, pingpongClock } from "./lib.mjs";

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
  const { size } = args;
  const clock = pingpongClock();
  await new Promise((resolve) => {
    socket.on("message", (data) => {
      if (data.length !== size) fail(`received ${data.length} bytes for a ${size}-byte datagram`);
      if (clock.reply()) return resolve();
      socket.send(message);
    });
    clock.start();
    socket.send(message);
  });
  socket.send("bye", () => finish());
}
