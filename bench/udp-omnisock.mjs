// omnisock over UDP: the same commands as the raw programs, with the public API only (bind,
// connect, send, for await). One program for every runtime: `omnisock` picks the driver.
import { args, emit, fail, finish, main, payload, pingpongClock } from "./lib.mjs";
import { omnisock } from "./omnisock.mjs";

main("omnisock", { server, pingpong });

const decoder = new TextDecoder();

async function server() {
  const socket = await omnisock.bind({ hostname: args.host, port: args.port });
  emit({ listening: socket.localAddress.port });
  for await (const { data, remote } of socket) {
    if (args.once && data.length === 3 && decoder.decode(data) === "bye") finish();
    await socket.send(data, remote);
  }
}

async function pingpong() {
  const socket = await omnisock.bind({ hostname: args.host, port: 0 });
  await socket.connect({ hostname: args.host, port: args.port });
  const reader = socket[Symbol.asyncIterator]();
  const message = payload(args.size);
  const { size } = args;
  const clock = pingpongClock();
  clock.start();
  do {
    await socket.send(message);
    const { value } = await reader.next();
    if (value.data.byteLength !== size)
      fail(`received ${value.data.byteLength} bytes for a ${size}-byte datagram`);
  } while (!clock.reply());
  await socket.send("bye");
  await socket.close();
  finish();
}
