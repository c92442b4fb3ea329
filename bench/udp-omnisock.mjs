// omnisock over UDP: the same commands as the raw programs, with the public API only (bind,
// connect, send, for await). One program for every runtime: `omnisock` picks the driver.
import {
  args,
  emit,
  fail,
  finish,
  latencySummary,
  now,
  payload,
  setApi,
  startWatchdog,
} from "./lib.mjs";
import { loadOmnisock } from "./omnisock.mjs";

startWatchdog();
const { api: omnisock, name } = await loadOmnisock();
setApi(name);

const commands = { server, pingpong };
const command = commands[args.command];
if (!command) fail(`unknown command ${args.command}`);
command().catch(fail);

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
  const { size, count, warmup } = args;
  const latencies = new Float64Array(count);
  for (let index = 0; index < warmup; index++) {
    await socket.send(message);
    await reader.next();
  }
  const timedFrom = now();
  let sentAt = timedFrom;
  for (let index = 0; index < count; index++) {
    await socket.send(message);
    const { value } = await reader.next();
    if (value.data.byteLength !== size)
      fail(`received ${value.data.byteLength} bytes for a ${size}-byte datagram`);
    const time = now();
    latencies[index] = time - sentAt;
    sentAt = time;
  }
  const elapsed = now() - timedFrom;
  emit({
    scenario: "pingpong",
    count,
    rtps: Math.round(count / (elapsed / 1000)),
    ...latencySummary(latencies),
  });
  await socket.send("bye");
  await socket.close();
  finish();
}
