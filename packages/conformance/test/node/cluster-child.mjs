// A node:cluster primary with two workers, each listening with omnisock on 127.0.0.1, port 0,
// with `exclusive` as the first argument says (see context.ts). Prints the two workers' ports
// as one JSON line, then exits (the workers exit with it); after 20 s it exits whatever happens.
import cluster from "node:cluster";
import { listen } from "@omnisock/node";

setTimeout(() => process.exit(1), 20_000).unref();
// cluster.fork() hands the workers the primary's arguments.
const exclusive = process.argv[2] === "true";

if (cluster.isPrimary) {
  const ports = [];
  for (let index = 0; index < 2; index++) {
    cluster.fork().on("message", (message) => {
      if (message.error) {
        process.stderr.write(`a worker could not listen: ${message.error}\n`);
        process.exit(1);
      }
      ports.push(message.port);
      if (ports.length < 2) return;
      process.stdout.write(`${JSON.stringify(ports)}\n`, () => process.exit(0));
    });
  }
} else {
  try {
    const server = await listen({ hostname: "127.0.0.1", port: 0, exclusive });
    process.send({ port: server.address.port });
  } catch (error) {
    process.send({ error: String(error) });
  }
}
