// What the suite needs from Node itself: the temp dir and two helper processes.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import net from "node:net";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import type { SocketAddress } from "@omnisock/node";
import type { BlackHole, ConformanceContext, InheritedListener } from "../../src/suite.js";

// A listener that never accepts: it blocks its own event loop right after listening, so the
// kernel's accept queue (backlog 1) fills and further SYNs are dropped. Node cannot stop
// accepting in-process (libuv accepts as soon as a connection is ready), hence a child.
// Bounded: it exits by itself after 20 s.
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

async function blackHole(): Promise<BlackHole> {
  const child = spawn(process.execPath, ["-e", blackHoleProgram], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const port = Number(await firstLine(child));
  return { hostname: "127.0.0.1", port, close: () => stop(child) };
}

const childProgram = fileURLToPath(new URL("./listen-fd-child.mjs", import.meta.url));

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

/** The first line the child writes, within 10 s; its stderr if it dies first. */
async function firstLine(child: ChildProcess): Promise<string> {
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the helper process did not start within 10 s: ${stderr}`));
    }, 10_000);
    child.stdout?.on("data", (chunk: Buffer) => {
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

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGKILL");
  await exited;
}

export const nodeContext: ConformanceContext = {
  name: "node",
  tempDir: tmpdir(),
  blackHole,
  inheritedListener,
};
