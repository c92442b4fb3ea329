// The raw UDP baseline on Deno: Deno.listenDatagram
// (https://docs.deno.com/api/deno/~/Deno.listenDatagram), behind `--unstable-net`. It has no
// connect: the client names the server on every send. A receive loop with one reused buffer.
import { args, emit, fail, finish, main, payload, pingpongClock } from "./lib.mjs";

main("Deno.listenDatagram", { server, pingpong });

const decoder = new TextDecoder();

async function server() {
  const socket = Deno.listenDatagram({ transport: "udp", hostname: args.host, port: args.port });
  emit({ listening: socket.addr.port });
  const buffer = new Uint8Array(65536);
  for (;;) {
    const [data, remote] = await socket.receive(buffer);
    if (args.once && data.length === 3 && decoder.decode(data) === "bye") finish();
    await socket.send(data, remote);
  }
}

async function pingpong() {
  const socket = Deno.listenDatagram({ transport: "udp", hostname: args.host, port: 0 });
  const target = { transport: "udp", hostname: args.host, port: args.port };
  const message = payload(args.size);
  const { size } = args;
  const buffer = new Uint8Array(65536);
  const clock = pingpongClock();
  clock.start();
  do {
    await socket.send(message, target);
    const [data] = await socket.receive(buffer);
    if (data.length !== size) fail(`received ${data.length} bytes for a ${size}-byte datagram`);
  } while (!clock.reply());
  await socket.send(new TextEncoder().encode("bye"), target);
  socket.close();
  finish();
}
