// Small tools the cases share. Web-platform APIs only (setTimeout, TextEncoder,
// crypto.subtle, performance): the suite runs unchanged on Node, Bun and Deno.
import type { Omnisock, Server, Socket, SocketAddress } from "@omnisock/core";
import { SocketError } from "@omnisock/core";
import { expect, onTestFinished } from "vitest";

export const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

export function text(data: Uint8Array): string {
  return decoder.decode(data);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A unique suffix for names (abstract sockets, temp files, multicast ports). */
export function uniqueName(): string {
  return crypto.randomUUID().slice(0, 12);
}

/**
 * Run `cleanup` when the current case ends, pass or fail. Registered on the line after
 * the resource is created; bounded, so that a cleanup that hangs fails the case instead.
 */
export function defer(cleanup: () => unknown): void {
  onTestFinished(async () => {
    await within(5_000, "cleanup", Promise.resolve().then(cleanup));
  });
}

/** `promise`, or a rejection naming `what` once `ms` have passed without an answer. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether `promise` settles (either way) within `ms`. It is left running either way. */
export async function settlesWithin(ms: number, promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  const started = performance.now();
  while (!settled && performance.now() - started < ms) await sleep(Math.min(10, ms));
  return settled;
}

/** Poll `condition` every 5 ms until it holds; fails after `ms`. */
export async function until(ms: number, what: string, condition: () => boolean): Promise<void> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > ms) throw new Error(`${what}: not true within ${ms} ms`);
    await sleep(5);
  }
}

/** Poll the asynchronous `check` every 20 ms until it answers true; fails after `ms`. */
export async function eventually(
  ms: number,
  what: string,
  check: () => Promise<boolean>,
): Promise<void> {
  const started = performance.now();
  for (;;) {
    const left = ms - (performance.now() - started);
    if (left <= 0) throw new Error(`${what}: not true within ${ms} ms`);
    if (await within(left, what, check())) return;
    await sleep(20);
  }
}

// The library hands failures on fire-and-forget paths to one reporter, which writes them to
// the console as "[omnisock] <stage> failed:". The suite takes them off the console and
// records them, so that a case that caused one unexpectedly fails with it (see suite.ts),
// and a case that expects one can check it.
const reports: unknown[][] = [];
let originalConsoleError: ((...args: unknown[]) => void) | undefined;

export function watchReports(): void {
  if (originalConsoleError) return;
  const original = console.error;
  originalConsoleError = original;
  console.error = (...args: unknown[]) => {
    if (typeof args[0] === "string" && args[0].startsWith("[omnisock]")) reports.push(args);
    else original.apply(console, args);
  };
}

export function unwatchReports(): void {
  if (originalConsoleError) console.error = originalConsoleError;
  originalConsoleError = undefined;
}

/** The library's reports since the last call. */
export function takeReports(): unknown[][] {
  return reports.splice(0, reports.length);
}

/** A promise with its resolve function outside, for "the server got its socket". */
export function deferred<T>(): {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A case that fails before awaiting it must not leave an unhandled rejection behind.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const chunk of chunks) length += chunk.byteLength;
  const result = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    result.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return result;
}

/**
 * Reads a socket as a byte stream, with a limit on every wait. A read that timed out stays
 * in flight and is picked up by the next call, since a socket allows one reader at a time.
 */
export class ByteReader {
  readonly #iterator: AsyncIterator<Uint8Array>;
  #inflight: Promise<IteratorResult<Uint8Array>> | undefined;
  #pending: Uint8Array = new Uint8Array(0);
  #ended = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#iterator = source[Symbol.asyncIterator]();
  }

  /** The next chunk as the socket delivered it, or `undefined` at the end. */
  async chunk(ms = 5_000): Promise<Uint8Array | undefined> {
    if (this.#pending.byteLength > 0) {
      const pending = this.#pending;
      this.#pending = new Uint8Array(0);
      return pending;
    }
    if (this.#ended) return undefined;
    this.#inflight ??= this.#iterator.next();
    const result = await within(ms, "reading the socket", this.#inflight);
    this.#inflight = undefined;
    if (result.done) {
      this.#ended = true;
      return undefined;
    }
    return result.value;
  }

  /** Exactly `length` bytes; fails if the stream ends first. */
  async read(length: number, ms = 5_000): Promise<Uint8Array> {
    const started = performance.now();
    const chunks: Uint8Array[] = [];
    let have = 0;
    while (have < length) {
      const chunk = await this.chunk(Math.max(1, ms - (performance.now() - started)));
      if (chunk === undefined) throw new Error(`the stream ended after ${have} of ${length} bytes`);
      const take = Math.min(chunk.byteLength, length - have);
      chunks.push(chunk.subarray(0, take));
      if (take < chunk.byteLength) this.#pending = chunk.subarray(take);
      have += take;
    }
    return concat(chunks);
  }

  async readText(length: number, ms = 5_000): Promise<string> {
    return text(await this.read(length, ms));
  }

  /** Everything until the end of the stream (at most `limit` bytes). */
  async readToEnd(ms = 5_000, limit = 16 * 1024 * 1024): Promise<Uint8Array> {
    const started = performance.now();
    const chunks: Uint8Array[] = [];
    let have = 0;
    for (;;) {
      const chunk = await this.chunk(Math.max(1, ms - (performance.now() - started)));
      if (chunk === undefined) return concat(chunks);
      chunks.push(chunk);
      have += chunk.byteLength;
      if (have > limit) throw new Error(`more than ${limit} bytes before the end`);
    }
  }

  /** Whether nothing arrives (neither data nor the end) within `ms`. */
  async silentFor(ms: number): Promise<boolean> {
    if (this.#pending.byteLength > 0 || this.#ended) return false;
    this.#inflight ??= this.#iterator.next();
    return !(await settlesWithin(ms, this.#inflight));
  }
}

/** The error `attempt` throws or rejects with; fails the case if it succeeds. */
export async function failure(attempt: () => unknown): Promise<unknown> {
  let result: unknown;
  try {
    // Bounded: a name lookup that fails may take the resolver's own time, never longer.
    result = await within(15_000, "the call", Promise.resolve().then(attempt));
  } catch (error) {
    return error;
  }
  // It should have failed; release whatever it opened before saying so.
  await release(result);
  throw new Error(`expected a failure, but it succeeded with ${describe(result)}`);
}

/** The error `action` throws synchronously; fails the case if it returns instead. */
export function thrownBy(action: () => unknown): unknown {
  let result: unknown;
  try {
    result = action();
  } catch (error) {
    return error;
  }
  // A promise here would be a rejection instead of a throw: do not leave it unhandled.
  if (result instanceof Promise) result.catch(() => {});
  throw new Error(`expected a synchronous throw, but it returned ${describe(result)}`);
}

/** Assert that `action` throws a `SocketError` carrying `code` synchronously. */
export function expectSyncSocketError(code: string, action: () => unknown): SocketError {
  const error = thrownBy(action);
  expect(error, String(error)).toBeInstanceOf(SocketError);
  expect((error as SocketError).code, String(error)).toBe(code);
  return error as SocketError;
}

/** Assert that `attempt` fails with a `SocketError` carrying `code`; returns the error. */
export async function expectSocketError(
  code: string,
  attempt: () => unknown,
): Promise<SocketError> {
  const error = await failure(attempt);
  expect(error, String(error)).toBeInstanceOf(SocketError);
  expect((error as SocketError).code, String(error)).toBe(code);
  return error as SocketError;
}

async function release(value: unknown): Promise<void> {
  const closable = value as {
    close?: (options?: unknown) => unknown;
    reset?: () => unknown;
  } | null;
  if (typeof closable !== "object" || closable === null) return;
  try {
    if (typeof closable.reset === "function") await closable.reset();
    else if (typeof closable.close === "function") await closable.close({ graceful: false });
  } catch {
    // Best effort: the case is failing already.
  }
}

function describe(value: unknown): string {
  if (typeof value === "object" && value !== null) return value.constructor?.name ?? "an object";
  return String(value);
}

/** The port of an IP address (a server's, a socket's). */
export function portOf(address: SocketAddress | undefined): number {
  if (address === undefined || address.transport === "unix") {
    throw new Error(`expected an IP address, got ${JSON.stringify(address)}`);
  }
  return address.port;
}

/** A TCP listener on 127.0.0.1, port 0, closed (forcefully) when the case ends. */
export async function listenLocal(
  api: Omnisock,
  onConnection?: (socket: Socket) => unknown,
  options: Record<string, unknown> = {},
): Promise<Server> {
  const server = await api.listen({ hostname: "127.0.0.1", port: 0, ...options }, onConnection);
  defer(() => server.close({ graceful: false }));
  return server;
}

/** Connect (giving up after 5 s unless told otherwise) and register the reset for when the case ends. */
export async function connectTo(
  api: Omnisock,
  target: Parameters<Omnisock["connect"]>[0],
  options?: Record<string, unknown>,
): Promise<Socket> {
  const socket = await api.connect(target, { timeout: 5_000, ...options });
  defer(() => socket.reset());
  return socket;
}

/**
 * A server whose connections echo everything back; ends its side when the peer does.
 * A handler's failure (the peer reset) ends that connection only.
 */
export async function echoServer(
  api: Omnisock,
  options: Record<string, unknown> = {},
): Promise<Server> {
  return listenLocal(api, echo, options);
}

export async function echo(socket: Socket): Promise<void> {
  try {
    for await (const chunk of socket) {
      if (!socket.write(chunk)) await socket.flush();
    }
    await socket.close();
  } catch {
    // The peer went away; nothing to echo to.
  }
}

/** A server that hands each accepted socket to the case, in order. */
export async function acceptingServer(api: Omnisock, options: Record<string, unknown> = {}) {
  const waiting: ((socket: Socket) => void)[] = [];
  const arrived: Socket[] = [];
  const server = await listenLocal(
    api,
    (socket) => {
      const waiter = waiting.shift();
      if (waiter) waiter(socket);
      else arrived.push(socket);
    },
    options,
  );
  const accepted = (ms = 5_000): Promise<Socket> => {
    const socket = arrived.shift();
    if (socket) return Promise.resolve(socket);
    return within(
      ms,
      "accepting a connection",
      new Promise<Socket>((resolve) => waiting.push(resolve)),
    );
  };
  return { server, accepted };
}

/** Deterministic pseudo-random bytes (xorshift32), so that both ends can be compared. */
export function pseudoRandomBytes(length: number, seed = 0x9e3779b9): Uint8Array {
  const words = new Uint32Array(Math.ceil(length / 4));
  let state = seed >>> 0 || 1;
  for (let index = 0; index < words.length; index++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    words[index] = state;
  }
  return new Uint8Array(words.buffer, 0, length);
}

/**
 * `from` sends `size` bytes in 64 KiB writes; `to` keeps every chunk it reads, uncopied, until
 * the last has come, and they must still hold what was sent. A chunk is the reader's: no later
 * read may write into it, however the driver lends out its read buffers.
 */
export async function expectKeptChunksIntact(
  from: Socket,
  to: Socket,
  size: number,
): Promise<void> {
  const data = pseudoRandomBytes(size);
  const received = (async () => {
    const kept: Uint8Array[] = [];
    let length = 0;
    for await (const chunk of to) {
      kept.push(chunk);
      length += chunk.byteLength;
      if (length >= size) break;
    }
    return concat(kept);
  })();
  await expectSentIntact(from, data, received);
}

/**
 * Send `size` pseudo-random bytes from `from` to `to`, read by three readers in turn: a handler
 * that borrows each chunk (`read(handler, { borrow: true })`, copying it within the call) for
 * the first third, a `for await` that keeps its chunks uncopied for the second, and a
 * borrowing handler again, one that every 8th chunk returns a promise, for the rest. Checked
 * only at the end, so a runtime that reads into memory it handed over, or lends memory a
 * reader keeps, fails the sha256.
 */
export async function expectBorrowedChunksIntact(
  from: Socket,
  to: Socket,
  size: number,
): Promise<void> {
  const data = pseudoRandomBytes(size, 11);
  const parts: Uint8Array[] = [];
  let length = 0;
  const borrowUntil = (end: number, pausing: boolean): Promise<void> => {
    const stop = new AbortController();
    let calls = 0;
    return to.read(
      (chunk) => {
        parts.push(chunk.slice());
        length += chunk.byteLength;
        if (length >= end) return stop.abort();
        return pausing && ++calls % 8 === 0 ? sleep(0) : undefined;
      },
      { signal: stop.signal, borrow: true },
    );
  };
  const received = (async () => {
    await borrowUntil(size / 3, false);
    for await (const chunk of to) {
      parts.push(chunk);
      length += chunk.byteLength;
      if (length >= (2 * size) / 3) break;
    }
    await borrowUntil(size, true);
    return concat(parts);
  })();
  await expectSentIntact(from, data, received);
}

/** Write `data` from `from` in 64 KiB pieces; `received` must then give back the same bytes. */
async function expectSentIntact(
  from: Socket,
  data: Uint8Array,
  received: Promise<Uint8Array>,
): Promise<void> {
  received.catch(() => {}); // awaited below
  const write = 64 * 1024;
  for (let offset = 0; offset < data.byteLength; offset += write) {
    if (!from.write(data.subarray(offset, offset + write))) {
      await within(10_000, "flush", from.flush());
    }
  }
  const got = await within(15_000, "every chunk", received);
  expect(got.byteLength).toBe(data.byteLength);
  expect(await sha256(got)).toBe(await sha256(data));
}

export async function sha256(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
