// The raw UDP baseline on Bun: Bun.udpSocket (https://bun.com/docs/api/udp). The client
// socket is connected to the server, so it sends without naming the target.
import { args, emit, fail, finish, main, payload, pingpongClock } from "./lib.mjs";

main("Bun.udpSocket", { server, pingpong });

const decoder = new TextDecoder();

async function server() {
  const socket = await Bun.udpSocket({
    hostname: args.host,
    port: args.port,
    binaryType: "uint8array",
    socket: {
      data(socket, data, port, address) {
        if (args.once && data.length === 3 && decoder.decode(data) === "bye") finish();
        socket.send(data, port, address);
      },
      error: (_, error) => fail(error),
    },
  });
  emit({ listening: socket.port });
}

async function pingpong() {
  const message = payload(args.size);
  const { size } = args;
  const clock = pingpongClock();
  let resolveDone;
  const finished = new Promise((resolve) => (resolveDone = resolve));
  const socket = await Bun.udpSocket({
    binaryType: "uint8array",
    connect: { hostname: args.host, port: args.port },
    socket: {
      data(socket, data) {
        if (data.length !== size) fail(`received ${data.length} bytes for a ${size}-byte datagram`);
        if (clock.reply()) return resolveDone();
        socket.send(message);
      },
      error: (_, error) => fail(error),
    },
  });
  clock.start();
  socket.send(message);
  await finished;
  socket.send(new TextEncoder().encode("bye"));
  socket.close();
  finish();
}
