// A CommonJS TypeScript file: require() of the ES module packages, typed. Compiled under
// `module: nodenext` (TypeScript ≥ 5.8 types require() of ES modules there). Never run.
import omnisock = require("omnisock");
import net = require("omnisock/net");

export async function roundTrip(target: string): Promise<omnisock.Socket> {
  const socket = await omnisock.connect(target, { timeout: 1_000 });
  socket.write("hello");
  return socket;
}

export const isIP: (input: string) => number = net.isIP;
