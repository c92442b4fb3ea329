// What the driver test files share: the socket hooks, a case that may be a known runtime
// failure, bounded waits, checksums, and the test PKI.
import { createHash } from "node:crypto";
import { beforeAll, it } from "vitest";
import { runtime } from "../src/runtime.js";
import { type Driver, socketHooks } from "../src/socket-factory.js";
import { knownFailure } from "./known-failures.js";

// The conformance suite's test CA and the server certificate it signed (names localhost and
// 127.0.0.1); "impostor" is a self-signed certificate for localhost that the CA did not sign.
import { caCert, impostorCert, serverCert, serverKey } from "../../conformance/src/fixtures/tls.js";

export { caCert, serverCert, serverKey };

export { runtime };

/** Every driver's socket hook, for this file. */
export const hooks = await socketHooks();

/** Whether this run is CI's, where a missing server fails the run instead of skipping. */
export const inCi = Boolean(process.env.CI);

/**
 * A case of `driver`'s workload. Where this runtime's own node:net/node:tls is known to break it
 * (and `driver` is on that module), it is declared `it.fails` with the upstream issue in its
 * name, so that it turns red the day the runtime is fixed; on omnisock's module it must pass.
 */
export function workload(
  driver: Driver,
  name: string,
  body: () => Promise<void>,
  timeout?: number,
): void {
  const known = knownFailure(driver, name, runtime, hooks.modules[driver]);
  if (known) it.fails(`${name} [fails on ${runtime}'s node:net: ${known.link}]`, body, timeout);
  else it(name, body, timeout);
}

/** `promise`, or a rejection naming `what` after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls the async `condition` every 20 ms until it holds; rejects after `ms`. */
export async function until(condition: () => boolean | Promise<boolean>, ms: number, what: string) {
  const deadline = performance.now() + ms;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const md5 = (data: string | Uint8Array) => createHash("md5").update(data).digest("hex");
export const sha256 = (data: string | Uint8Array) =>
  createHash("sha256").update(data).digest("hex");

/** `size` bytes that differ from seed to seed (a SHA-256 chain), the same every run. */
export function pseudoRandomBytes(size: number, seed: string): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash("sha256").update(seed).digest();
  for (let offset = 0; offset < size; offset += block.length) {
    block.copy(out, offset);
    block = createHash("sha256").update(block).digest();
  }
  return out;
}

/** The code and message of an error, or a thrown non-error, for assertions on why it failed. */
export const messageOf = (error: unknown) =>
  error instanceof Error
    ? `${(error as { code?: string }).code ?? ""} ${error.message}`
    : String(error);

/** Why `promise` failed, within `ms`; fails the case if it succeeded instead. */
export async function failureOf(promise: Promise<unknown>, ms: number, what: string) {
  const outcome = await within(
    promise.then(
      () => ({ failed: false, error: undefined }),
      (error: unknown) => ({ failed: true, error }),
    ),
    ms,
    what,
  );
  if (!outcome.failed) throw new Error(`${what}: succeeded, but should have failed`);
  return messageOf(outcome.error);
}

/**
 * Certificates that a client verifying as verify-full must refuse, and how the refusal reads
 * (each runtime's TLS words it its own way: omnisock's for the PostgreSQL hooks, the runtime's
 * node:tls for mysql2).
 */
export const refusedCertificates = [
  {
    name: "a server certificate from another CA is refused",
    ssl: { ca: impostorCert, servername: "localhost" },
    why: /certificate|self[- ]signed|verify/i,
  },
  {
    name: "a certificate for another name is refused",
    ssl: { ca: caCert, servername: "other.test" },
    why: /other\.test|altname|hostname|name/i,
  },
];

/**
 * Whether a server the cases need is installed. In CI it must be (a missing one fails the
 * file); elsewhere its cases are skipped, and the run says why.
 */
export function serverInstalled(installed: boolean, missing: string): boolean {
  if (!installed && inCi) throw new Error(`${missing}: CI must run these cases`);
  if (!installed) console.warn(`skipped: ${missing}`);
  return installed;
}

/**
 * Starts a server before the file's cases and stops it after them (also when they fail);
 * returns a getter for it, and prints how long it took to start.
 */
export function serverForFile<T extends { stop(): Promise<void> }>(
  start: () => Promise<T>,
  timings: (server: T) => string,
): () => T {
  let server: T | undefined;
  beforeAll(async () => {
    const started = await start();
    server = started;
    console.log(timings(started));
    return () => started.stop();
  });
  return () => {
    if (server === undefined) throw new Error("the server did not start");
    return server;
  };
}
