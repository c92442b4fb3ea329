// Helper processes that the Node and Bun entries share (both run node:child_process): a
// listener that never accepts, and the plumbing to start and stop a helper.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import type { BlackHole } from "../src/suite.js";

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

/** The first line the child writes, within 10 s; its stderr if it dies first. */
export async function firstLine(child: ChildProcess): Promise<string> {
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (chunk: Uint8Array) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the helper process did not start within 10 s: ${stderr}`));
    }, 10_000);
    child.stdout?.on("data", (chunk: Uint8Array) => {
      stdout += chunk;
      const end = stdout.indexOf("\n");
      if (end === -1) return;
      clearTimeout(timer);
      resolve(stdout.slice(0, end));
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`the helper process exited (${code ?? signal}) before it was ready: ${stderr}`),
      );
    });
  });
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGKILL");
  await exited;
}
