// The raw UDP baseline on Bun: Bun.udpSocket (https://bun.com/docs/api/udp). The client
// socket is connected to the server, so it sends without naming the target.
import { args, emit, fail, finish, main, now, payload, reportPingpong } from "./lib.mjs";

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
  const { size, count, warmup } = args;
  const latencies = new Float64Array(count);
  const total = warmup + count;
  let done = 0;
  let sentAt = 0;
  let timedFrom = 0;
  let resolveDone;
  const finished = new Promise((resolve) => (resolveDone = resolve));
  const socket = await Bun.udpSocket({
    binaryType: "uint8array",
    connect: { hostname: args.host, port: args.port },
    socket: {
      data(socket, data) {
        if (data.length !== size) fail(`received ${data.length} bytes for a ${size}-byte datagram`);
        const time = now();
        if (done >= warmup) latencies[done - warmup] = time - sentAt;
        else if (done === warmup - 1) timedFrom = time;
        done++;
        if (done === total) return resolveDone();
        sentAt = time;
        socket.send(message);
      },
      error: (_, error) => fail(error),
    },
  });
  timedFrom = sentAt = now();
  socket.send(message);
  await finished;
  const elapsed = now() - timedFrom;
  reportPingpong(count, elapsed, latencies);
  socket.send(new TextEncoder().encode("bye"));
  socket.close();
  finish();
}
