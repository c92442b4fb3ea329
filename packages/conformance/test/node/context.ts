// What the suite needs from Node itself: the temp dir, helper processes, the fd count and the
// kernel's view of the sockets.
import { type ChildProcess, spawn } from "node:child_process";
import net from "node:net";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import type { SocketAddress } from "@omnisock/node";
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

const childProgram = fileURLToPath(new URL("./listen-fd-child.mjs", import.meta.url));
const clusterProgram = fileURLToPath(new URL("./cluster-child.mjs", import.meta.url));

/**
 * A listening socket made here and handed to a child as its fd 3, as systemd does; the child
 * calls `listen({ fd: 3 })`. node:child_process passes a descriptor given as a number in
 * `stdio`; a net.Server exposes its descriptor only as the undocumented `_handle.fd`.
 */
async function inheritedListener(): Promise<InheritedListener> {
  const listener = net.createServer();
  await new Promise<void>((resolve, reject) => {
    listener.once("error", reject);
    listener.listen({ host: "127.0.0.1", port: 0 }, resolve);
  });
  let child: ChildProcess;
  try {
    const { fd } = (listener as unknown as { _handle: { fd: number } })._handle;
    child = spawn(process.execPath, [childProgram], { stdio: ["pipe", "pipe", "pipe", fd] });
  } finally {
    // The child holds its own copy of the descriptor: this process must not accept on it.
    listener.close();
  }
  const address = JSON.parse(await firstLine(child)) as SocketAddress;
  return { address, close: () => stop(child) };
}

/** The ports that two cluster workers got from `listen({ port: 0, exclusive })`. */
async function clusterListeners(exclusive: boolean): Promise<number[]> {
  const child = spawn(process.execPath, [clusterProgram, String(exclusive)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    return JSON.parse(await firstLine(child, "the cluster primary")) as number[];
  } finally {
    await stop(child);
  }
}

export const nodeContext: ConformanceContext = {
  externalTlsPeer: pythonTlsEcho,
  externalStartTlsPeer: pythonStartTls,
  externalStartTlsClient: pythonStartTlsClient,
  name: "node",
  tempDir: tmpdir(),
  blackHole: () => nodeBlackHole(process.execPath),
  inheritedListener,
  killablePeer: (behaviour) => nodeKillablePeer(process.execPath, behaviour),
  openFileDescriptors,
  clusterListeners,
  kernel: linuxKernel(),
};
