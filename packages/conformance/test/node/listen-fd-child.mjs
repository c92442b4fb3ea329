// Serves an echo on fd 3, a listening socket inherited from the parent (see context.ts).
// Prints the server's address as one JSON line once it listens; exits when the parent
// closes stdin, or after 20 s whatever happens.
import { listen } from "@omnisock/node";

const limit = setTimeout(() => process.exit(1), 20_000);
const server = await listen({ fd: 3 }, async (socket) => {
  try {
    for await (const chunk of socket) socket.write(chunk);
    await socket.close();
  } catch {
    // The peer went away.
  }
});
process.stdout.write(`${JSON.stringify(server.address)}\n`);
process.stdin.resume();
process.stdin.on("end", async () => {
  clearTimeout(limit);
  await server.close({ graceful: false });
  process.exit(0);
});
