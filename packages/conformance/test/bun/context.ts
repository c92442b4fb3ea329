// What the suite needs from Bun itself: the temp dir and two helper processes. Bun runs
// node:child_process and node:os, so only the listening socket handed over needs Bun's API.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import type { SocketAddress } from "@omnisock/bun";
import type { BlackHole, ConformanceContext, InheritedListener } from "../../src/suite.js";

// The part of Bun's API used here (this tsconfig has Node's types, not Bun's).
const { Bun } = globalThis as unknown as {
  Bun: {
    listen(options: { hostname: string; port: number; socket: { data(): void } }): {
      readonly fd: number;
      stop(closeActiveConnections: boolean): void;
    };
  };
};

// A listener that never accepts, with a backlog of 1, so that further SYNs are dropped.
// Bun's listeners (Bun.listen and its node:net) always ask for a backlog of 512, so the
// helper runs on Node, which the repository's toolchain always has.
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
  const child = spawn("node", ["-e", blackHoleProgram], { stdio: ["ignore", "pipe", "pipe"] });
  const port = Number(await firstLine(child));
  return { hostname: "127.0.0.1", port, close: () => stop(child) };
}

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

/** The first line the child writes, within 10 s; its stderr if it dies first. */
async function firstLine(child: ChildProcess): Promise<string> {
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

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGKILL");
  await exited;
}

export const bunContext: ConformanceContext = {
  name: "bun",
  tempDir: tmpdir(),
  blackHole,
  inheritedListener,
};
