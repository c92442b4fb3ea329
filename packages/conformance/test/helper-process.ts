// Helper processes that the runtime entries and the interop run share (all run
// node:child_process): a listener that never accepts, a peer to kill, and the plumbing to
// start and stop one; and the count of open file descriptors (all run node:fs).
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readdirSync } from "node:fs";
import type { BlackHole, KillablePeer } from "../src/suite.js";

// A listener that never accepts: it blocks its own event loop right after listening, so the
// kernel's accept queue (backlog 1) fills and further SYNs are dropped. Node cannot stop
// accepting in-process (libuv accepts as soon as a connection is ready), and Bun's listeners
// always ask for a backlog of 512, hence a Node child. Bounded: it exits by itself after 20 s.
const blackHoleProgram = `
const net = require("node:net");
const { writeSync } = require("node:fs");
const server = net.createServer();
server.listen({ host: "127.0.0.1", port: 0, backlog: 1 }, () => {
  writeSync(1, server.address().port + "\\n");
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20000);
  process.exit(0);
});
`;

/** A black hole served by the Node at `nodeCommand`. */
export async function nodeBlackHole(nodeCommand: string): Promise<BlackHole> {
  const child = spawn(nodeCommand, ["-e", blackHoleProgram], { stdio: ["ignore", "pipe", "pipe"] });
  const port = Number(await firstLine(child));
  return { hostname: "127.0.0.1", port, close: () => stop(child) };
}

// The peers of ConformanceContext.killablePeer: a listener on 127.0.0.1 that prints its port,
// serves each connection as its behaviour says, and exits by itself after 20 s.
const peerListener = (serve: string) => `
const net = require("node:net");
const { writeSync } = require("node:fs");
const server = net.createServer((socket) => {
  socket.on("error", () => {});
  ${serve}
});
server.listen({ host: "127.0.0.1", port: 0 }, () => writeSync(1, server.address().port + "\\n"));
setTimeout(() => process.exit(0), 20000);
`;

const peerPrograms = {
  // One read every 20 ms: what it is sent waits unread in its kernel buffer.
  "slow-sink": peerListener(`
  socket.pause();
  socket.on("data", () => socket.pause());
  const timer = setInterval(() => socket.resume(), 20);
  socket.on("close", () => clearInterval(timer));`),
  // Byte n is n % 251: a block of 251 * 256 bytes, written again and again.
  source: peerListener(`
  const block = Buffer.alloc(251 * 256);
  for (let index = 0; index < block.length; index++) block[index] = index % 251;
  const pump = () => { while (socket.write(block)); };
  socket.on("drain", pump);
  pump();`),
};

/** A killable peer (see ConformanceContext.killablePeer) run by the Node at `nodeCommand`. */
export async function nodeKillablePeer(
  nodeCommand: string,
  behaviour: keyof typeof peerPrograms,
): Promise<KillablePeer> {
  const child = spawn(nodeCommand, ["-e", peerPrograms[behaviour]], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const port = Number(await firstLine(child, `the ${behaviour} peer`));
  return { hostname: "127.0.0.1", port, kill: () => stop(child) };
}

/** The open file descriptors of this process, where the system lists them (Linux's /proc). */
export const openFileDescriptors: (() => number) | undefined = existsSync("/proc/self/fd")
  ? () => readdirSync("/proc/self/fd").length
  : undefined;

/**
 * The first line `child` writes, or a rejection with its stderr once it exits or `until` (a
 * `Date.now()` time, 10 s from now by default) passes, when it is killed.
 */
export function firstLine(
  child: ChildProcess,
  what = "the helper process",
  until = Date.now() + 10_000,
): Promise<string> {
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (chunk: Uint8Array) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => {
        child.kill("SIGKILL");
        reject(new Error(`${what}: no answer in time\n${stderr}`));
      },
      Math.max(0, until - Date.now()),
    );
    child.stdout?.on("data", (chunk: Uint8Array) => {
      stdout += chunk;
      const end = stdout.indexOf("\n");
      if (end === -1) return;
      clearTimeout(timer);
      resolve(stdout.slice(0, end));
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code ?? signal}) before answering\n${stderr}`));
    });
  });
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGKILL");
  await exited;
}
