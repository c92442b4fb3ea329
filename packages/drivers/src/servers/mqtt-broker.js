// @ts-check
// The aedes MQTT broker, in a child Node process: the tests run inside Bun and Deno too, and the
// broker should not share (or depend on) the node:net layer under test. It listens on port 0 of
// 127.0.0.1 and prints the port; it exits when its stdin closes, that is when the test process
// stops it or dies.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { delay, onPath, supervised, waitFor } from "./process.js";

const program = fileURLToPath(new URL("./mqtt-broker-child.js", import.meta.url));

/**
 * The Node that runs the broker: this process's own on Node, the `node` on the PATH elsewhere.
 * @returns {string | undefined}
 */
export function nodeCommand() {
  const runtime = "Bun" in globalThis || "Deno" in globalThis ? undefined : process.execPath;
  return runtime ?? (onPath("node") ? "node" : undefined);
}

/**
 * @typedef {object} MqttBroker
 * @property {string} host Always 127.0.0.1.
 * @property {number} port
 * @property {number} startMs From spawn to listening.
 * @property {() => Promise<void>} stop
 */

/** @returns {Promise<MqttBroker>} */
export async function startMqttBroker() {
  const node = nodeCommand();
  if (node === undefined) throw new Error("no `node` on the PATH to run the aedes broker");
  const started = performance.now();
  const [file, argv] = supervised(node, [program]);
  const child = spawn(file, argv, { stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output = (output + chunk).slice(-32_768)));
  /** @type {Promise<void>} */
  const exited = new Promise((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin.end();
    if (!(await Promise.race([exited.then(() => true), delay(5_000).then(() => false)]))) {
      child.kill("SIGKILL");
      await Promise.race([exited, delay(5_000)]);
    }
  };
  try {
    await Promise.race([
      waitFor(() => /^listening \d+$/m.test(output), 20_000, "the aedes broker to listen"),
      exited.then(() => {
        throw new Error("the aedes broker exited before it listened");
      }),
    ]);
  } catch (error) {
    await stop();
    throw new Error(
      `${error instanceof Error ? error.message : error}\n--- broker said:\n${output}`,
    );
  }
  const port = Number(/^listening (\d+)$/m.exec(output)?.[1]);
  return { host: "127.0.0.1", port, startMs: performance.now() - started, stop };
}
