// @ts-check
// Run by mqtt-broker.js under Node: an aedes broker on 127.0.0.1, port 0. Prints
// "listening <port>" once it listens; exits when stdin closes.
import { createServer } from "node:net";
import { Aedes } from "aedes";

const broker = await Aedes.createBroker();
const server = createServer(broker.handle);
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === "object" && address ? address.port : 0}\n`);
});
process.stdin.on("end", () => {
  server.close();
  broker.close(() => process.exit(0));
  // Connected clients keep server.close() waiting; the test process has stopped caring.
  setTimeout(() => process.exit(0), 1_000).unref();
});
process.stdin.resume();
