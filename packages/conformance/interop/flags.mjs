// What a runtime started without an optional flag answers (Deno without --unstable-net):
// an ENOTSUP that names the flag, and the rest of the API still working. Prints one JSON
// line: {"runtime", "udp": {code, message}, "tcp": true | "<error>"}.
import process from "node:process";
import { bind, connect, listen, runtime } from "omnisock";

let udp = null;
try {
  const socket = await bind({ hostname: "127.0.0.1", port: 0 });
  await socket.close();
} catch (error) {
  udp = { code: error?.code, message: String(error?.message) };
}

let tcp = true;
try {
  const server = await listen({ hostname: "127.0.0.1", port: 0 }, (socket) => socket.end());
  const socket = await connect(server.address, { timeout: 5_000 });
  for await (const _ of socket);
  await server.close();
} catch (error) {
  tcp = String(error);
}
process.stdout.write(`${JSON.stringify({ runtime, udp, tcp })}\n`);
