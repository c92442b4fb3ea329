// @ts-check
// Starting and stopping a real server as a child process, the same way on Node, Bun and Deno
// (all three run node:child_process). Every server is bound to 127.0.0.1, lives in a temp dir
// and is stopped by whoever started it; if the test process dies first, the kernel kills the
// server too (PR_SET_PDEATHSIG through util-linux's setpriv), so no server outlives a run.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The unprivileged account a server drops to when the tests run as root (as CI does). */
export const unprivileged = { user: "nobody", group: "nogroup" };

/** True when this process is root, where PostgreSQL refuses to run. */
export const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

/**
 * Whether `command` is on the PATH.
 * @param {string} command
 */
export function onPath(command) {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

/**
 * A new temp dir, and a function that removes it. The dir names the process that made it, so
 * that dirs left by a test process that was killed (and could not remove them) are removed by
 * the next one; a server database is tens of MiB.
 * @param {string} prefix
 */
export function tempDir(prefix) {
  const stem = `omnisock-${prefix}-`;
  for (const name of readdirSync(tmpdir())) {
    if (name.startsWith(stem) && !alive(readOwner(join(tmpdir(), name)))) {
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
  const path = mkdtempSync(join(tmpdir(), stem));
  writeFileSync(join(path, owner), String(process.pid));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

const owner = "owner.pid";

/** @param {string} dir */
function readOwner(dir) {
  try {
    return Number(readFileSync(join(dir, owner), "utf8"));
  } catch {
    // Not written yet (another process between mkdtemp and writeFile) or not ours: keep it.
    return undefined;
  }
}

/** @param {number | undefined} pid */
function alive(pid) {
  if (pid === undefined) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return /** @type {{ code?: string }} */ (error).code !== "ESRCH";
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago (servers that cannot take port 0). */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(undefined));
  });
  const address = server.address();
  await new Promise((resolve) => server.close(() => resolve(undefined)));
  if (address === null || typeof address === "string") throw new Error("no port from listen(0)");
  return address.port;
}

/**
 * The argument list that runs `command` so that it dies with this process, and as
 * `unprivileged` when `dropRoot` is set and this process is root. setpriv applies the death
 * signal after changing the user, which would otherwise clear it.
 * @param {string} command
 * @param {string[]} args
 * @param {{ dropRoot?: boolean }} [options]
 * @returns {[string, string[]]}
 */
export function supervised(command, args, { dropRoot = false } = {}) {
  const drop =
    dropRoot && isRoot()
      ? [`--reuid=${unprivileged.user}`, `--regid=${unprivileged.group}`, "--clear-groups"]
      : [];
  return ["setpriv", [...drop, "--pdeathsig", "KILL", "--", command, ...args]];
}

/**
 * Runs a command to completion (an initdb, say), bounded in time; throws with its output if
 * it fails.
 * @param {string} command
 * @param {string[]} args
 * @param {{ dropRoot?: boolean, input?: string, timeoutMs?: number, cwd?: string }} [options]
 */
export function runToEnd(command, args, { dropRoot, input, timeoutMs = 60_000, cwd } = {}) {
  const [file, argv] = supervised(command, args, { dropRoot });
  const result = spawnSync(file, argv, {
    input,
    cwd,
    timeout: timeoutMs,
    killSignal: "SIGKILL",
    encoding: "utf8",
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.status !== 0) {
    const why = result.error ? String(result.error) : `exit ${result.status ?? result.signal}`;
    throw new Error(`${command} failed (${why}):\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

/**
 * @typedef {object} RunningServer
 * @property {number} pid
 * @property {number} startMs How long the server took from spawn to its ready line.
 * @property {() => string} log The tail of what it printed.
 * @property {() => Promise<void>} stop Stops it (its stop signal, then SIGKILL), bounded.
 */

/**
 * @typedef {object} ServerOptions
 * @property {string} name For messages.
 * @property {string} command
 * @property {string[]} args
 * @property {RegExp} ready Matched against everything it has printed so far.
 * @property {boolean} [dropRoot]
 * @property {NodeJS.Signals} [stopSignal] What asks this server to shut down cleanly.
 * @property {number} [timeoutMs] How long it may take to become ready.
 * @property {string} [cwd]
 */

/**
 * Starts a long-running server and waits for the line that says it is ready.
 * @param {ServerOptions} options
 * @returns {Promise<RunningServer>}
 */
export async function startServer({
  name,
  command,
  args,
  ready,
  dropRoot,
  stopSignal = "SIGTERM",
  timeoutMs = 30_000,
  cwd,
}) {
  const started = performance.now();
  const [file, argv] = supervised(command, args, { dropRoot });
  const child = spawn(file, argv, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  // Only the tail is kept: enough to explain a failure, bounded however chatty the server is.
  const keep = (/** @type {Buffer} */ chunk) => {
    output = (output + chunk.toString("utf8")).slice(-32_768);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  /** @type {Promise<void>} */
  const exited = new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  const spawnError = new Promise((_, reject) => child.once("error", reject));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(stopSignal);
    const clean = await Promise.race([exited.then(() => true), delay(10_000).then(() => false)]);
    if (!clean) {
      child.kill("SIGKILL");
      await Promise.race([exited, delay(5_000)]);
    }
  };

  try {
    await Promise.race([
      waitFor(() => ready.test(output), timeoutMs, `${name} to print ${ready}`),
      exited.then(() => {
        throw new Error(`${name} exited before it was ready`);
      }),
      spawnError,
    ]);
  } catch (error) {
    await stop();
    throw new Error(
      `${error instanceof Error ? error.message : error}\n--- ${name} said:\n${output}`,
      {
        cause: error,
      },
    );
  }
  return {
    pid: /** @type {number} */ (child.pid),
    startMs: performance.now() - started,
    log: () => output,
    stop,
  };
}

/**
 * Polls `condition` every 10 ms until it holds; rejects after `timeoutMs`.
 * @param {() => boolean} condition
 * @param {number} timeoutMs
 * @param {string} what For the timeout's message.
 */
export async function waitFor(condition, timeoutMs, what) {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(10);
  }
}

/** @param {number} ms */
export const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts a server in a new temp dir, on a port of 127.0.0.1 that was free: `prepare(dir)` sets
 * the dir up and says how to `serve` on a port. If the port was taken in the meantime (by
 * another process on this machine), it tries again with another, three times at most. The
 * result's stop() stops the server and removes the dir; a failed start removes it at once.
 * @template {{ serve: (port: number) => ServerOptions }} Prepared
 * @param {string} prefix
 * @param {(dir: string) => Prepared} prepare
 * @returns {Promise<Omit<Prepared, "serve"> & RunningServer & { host: string, port: number }>}
 */
export async function startInTempDir(prefix, prepare) {
  const dir = tempDir(prefix);
  try {
    const { serve, ...prepared } = prepare(dir.path);
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      try {
        const server = await startServer(serve(port));
        const stop = async () => {
          try {
            await server.stop();
          } finally {
            dir.remove();
          }
        };
        return { ...prepared, ...server, host: "127.0.0.1", port, stop };
      } catch (error) {
        const taken = /address already in use|could not bind|EADDRINUSE/i.test(String(error));
        if (!taken || attempt === 3) throw error;
      }
    }
  } catch (error) {
    dir.remove();
    throw error;
  }
}
