// omnisock over UDP: the same commands as the raw programs, with the public API only (bind,
// connect, send, socket.read(handler); `for await` with --iterate). One program for every
// runtime: `omnisock` picks the driver.
import { args, emit, fail, finish, main, payload, pingpongClock } from "./lib.mjs";
import { omnisock } from "./omnisock.mjs";

const iterate = args.iterate === true;
main(iterate ? "omnisock for await" : "omnisock", { server, pingpong });

const decoder = new TextDecoder();

async function server() {
  const socket = await omnisock.bind({ hostname: args.host, port: args.port });
  emit({ listening: socket.localAddress.port });
  if (!iterate) return socket.read(echo);
  for await (const datagram of socket) await echo(datagram, socket);
}

/** Send each datagram back; a send the runtime could not make at once holds the next. */
function echo({ data, remote }, socket) {
  if (args.once && data.length === 3 && decoder.decode(data) === "bye") finish();
  return socket.send(data, remote);
}

async function pingpong() {
  const socket = await omnisock.bind({ hostname: args.host, port: 0 });
  await socket.connect({ hostname: args.host, port: args.port });
  const message = payload(args.size);
  const { size } = args;
  const clock = pingpongClock();
  const check = (data) => {
    if (data.byteLength !== size)
      fail(`received ${data.byteLength} bytes for a ${size}-byte datagram`);
  };
  if (iterate) {
    const reader = socket[Symbol.asyncIterator]();
    clock.start();
    do {
      await socket.send(message);
      const { value } = await reader.next();
      check(value.data);
    } while (!clock.reply());
  } else {
    const stop = new AbortController();
    const replies = socket.read(
      ({ data }) => {
        check(data);
        if (clock.reply()) return stop.abort();
        return socket.send(message);
      },
      { signal: stop.signal },
    );
    clock.start();
    await socket.send(message);
    await replies;
  }
  await socket.send("bye");
  await socket.close();
  finish();
}
