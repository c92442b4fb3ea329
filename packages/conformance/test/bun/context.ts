// What the suite needs from Bun itself: the temp dir, helper processes and the fd count. Bun
// runs node:child_process, node:fs and node:os, so only the listening socket handed over
// needs Bun's API. The helper peers are Node programs, run by the `node` on the PATH.
import { type ChildProcess, spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import type { SocketAddress } from "@omnisock/bun";
import type { ConformanceContext, InheritedListener } from "../../src/suite.js";
import { pythonStartTls, pythonStartTlsClient, pythonTlsEcho } from "../tls-peer.js";
import {
  firstLine,
  nodeBlackHole,
  nodeKillablePeer,
  openFileDescriptors,
  stop,
} from "../helper-process.js";
import { linuxKernel } from "../kernel.js";

// The part of Bun's API used here (this tsconfig has Node's types, not Bun's).
const { Bun } = globalThis as unknown as {
  Bun: {
    listen(options: { hostname: string; port: number; socket: { data(): void } }): {
      readonly fd: number;
      stop(closeActiveConnections: boolean): void;
    };
  };
};

const childProgram = fileURLToPath(new URL("./listen-fd-child.ts", import.meta.url));

/** A listening socket made here and handed to a Bun child as its fd 3, as systemd does. */
async function inheritedListener(): Promise<InheritedListener> {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [childProgram], {
      stdio: ["pipe", "pipe", "pipe", listener.fd],
    });
  } finally {
    // The child holds its own copy of the descriptor: this process must not accept on it.
    listener.stop(true);
  }
  const address = JSON.parse(await firstLine(child)) as SocketAddress;
  return { address, close: () => stop(child) };
}

export const bunContext: ConformanceContext = {
  externalTlsPeer: pythonTlsEcho,
  externalStartTlsPeer: pythonStartTls,
  externalStartTlsClient: pythonStartTlsClient,
  name: "bun",
  tempDir: tmpdir(),
  blackHole: () => nodeBlackHole("node"),
  inheritedListener,
  killablePeer: (behaviour) => nodeKillablePeer("node", behaviour),
  openFileDescriptors,
  kernel: linuxKernel(),
};
