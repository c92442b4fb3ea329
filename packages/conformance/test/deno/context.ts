// What the suite needs from Deno itself: the temp dir, a listener that never accepts, a peer
// to kill and the fd count. Deno runs node:os, node:fs and node:child_process; its own
// Deno.listen accepts only when asked, so the black hole needs no helper process, and the
// peer to kill is a Node program, run by the `node` on the PATH. listen({ fd }) is not
// supported on Deno (capabilities.listenFd), so there is no inheritedListener.
import { tmpdir } from "node:os";
import type { BlackHole, ConformanceContext } from "../../src/suite.js";
import { pythonStartTls, pythonStartTlsClient, pythonTlsEcho } from "../tls-peer.js";
import { nodeKillablePeer, openFileDescriptors } from "../helper-process.js";
import { linuxKernel } from "../kernel.js";

// The part of Deno's API used here (this tsconfig has Node's types, not Deno's).
const { Deno } = globalThis as unknown as {
  Deno: {
    listen(options: { hostname: string; port: number; tcpBacklog: number }): {
      readonly addr: { hostname: string; port: number };
      close(): void;
    };
  };
};

// Deno.listen never accepts until accept() is called: with a backlog of 1, once a couple of
// connections wait in the kernel's queue, further SYNs are dropped.
async function blackHole(): Promise<BlackHole> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0, tcpBacklog: 1 });
  const { hostname, port } = listener.addr;
  return { hostname, port, close: async () => listener.close() };
}

export const denoContext: ConformanceContext = {
  externalTlsPeer: pythonTlsEcho,
  externalStartTlsPeer: pythonStartTls,
  externalStartTlsClient: pythonStartTlsClient,
  name: "deno",
  tempDir: tmpdir(),
  blackHole,
  killablePeer: (behaviour) => nodeKillablePeer("node", behaviour),
  openFileDescriptors,
  kernel: linuxKernel(),
};
