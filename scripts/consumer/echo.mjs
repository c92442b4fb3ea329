// A TCP, a UDP and a Unix echo through the installed `omnisock`, on whichever runtime runs it.
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bind, connect, listen, runtime } from "omnisock";

const message = `hello from ${runtime}`;
const decoder = new TextDecoder();

async function echo(socket) {
  for await (const chunk of socket) if (!socket.write(chunk)) await socket.flush();
}

async function streamEcho(server) {
  try {
    const socket = await connect(server.address, { timeout: 5_000 });
    socket.write(message);
    let received = "";
    for await (const chunk of socket) {
      received += decoder.decode(chunk);
      if (received.length >= message.length) break;
    }
    await socket.close();
    assert.equal(received, message);
  } finally {
    await server.close({ graceful: false });
  }
}

async function datagramEcho() {
  const server = await bind({ hostname: "127.0.0.1", port: 0 });
  const client = await bind({ hostname: "127.0.0.1", port: 0 });
  try {
    const serving = (async () => {
      for await (const { data, remote } of server) await server.send(data, remote);
    })();
    await client.send(message, server.localAddress);
    for await (const { data } of client) {
      assert.equal(decoder.decode(data), message);
      break;
    }
    await server.close();
    await serving;
  } finally {
    await client.close();
    await server.close();
  }
}

await streamEcho(await listen({ hostname: "127.0.0.1", port: 0 }, echo));
await datagramEcho();
const path = join(tmpdir(), `omnisock-packages-${runtime}-${process.pid}.sock`);
await streamEcho(await listen({ path }, echo));
console.log(`echo over tcp, udp and unix on ${runtime}'s driver`);
