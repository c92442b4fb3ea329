import type { InetAddress } from "./address.js";
import type { Driver, StreamHandle } from "./driver.js";
import { DatagramSocket } from "./datagram.js";
import { SocketError } from "./error.js";
import { monitor } from "./monitor.js";
import type {
  BindOptions,
  ConnectOptions,
  ConnectTarget,
  ListenOptions,
  LookupOptions,
  ProbeOptions,
} from "./options.js";
import { Server } from "./server.js";
import { Socket } from "./socket.js";
import type { Omnisock, ProbeResult } from "./types.js";
import {
  checkBoolean,
  checkFamily,
  checkHostname,
  checkMilliseconds,
  checkOptionsObject,
  checkSupported,
  normalizeBind,
  normalizeConnect,
  normalizeListen,
} from "./validate.js";

/**
 * Build the public API over a driver. Every adapter exports exactly this, so the same code
 * behaves the same on every runtime.
 */
export function createApi(driver: Driver): Omnisock {
  const { runtime, capabilities } = driver;

  async function connect(target: ConnectTarget, options?: ConnectOptions): Promise<Socket> {
    const normalized = normalizeConnect(target, options);
    checkSupported("connect", (options ?? {}) as Record<string, unknown>, normalized, driver);
    const handle = await openStream(driver, normalized);
    return new Socket(handle, normalized, "client", driver, { signal: normalized.signal });
  }

  async function listen(
    options: ListenOptions,
    onConnection?: (socket: Socket) => unknown,
  ): Promise<Server> {
    const normalized = normalizeListen(options);
    checkSupported("listen", options as Record<string, unknown>, normalized, driver);
    if (onConnection !== undefined && typeof onConnection !== "function") {
      throw new TypeError(
        `The "onConnection" argument must be a function. Received ${typeof onConnection}`,
      );
    }
    if (normalized.signal?.aborted) throw aborted("listen");
    const server = new Server(normalized, onConnection, driver);
    server.attach(await driver.listen(normalized, server.sink));
    return server;
  }

  async function bind(options?: BindOptions): Promise<DatagramSocket> {
    const normalized = normalizeBind(options);
    checkSupported("bind", (options ?? {}) as Record<string, unknown>, normalized, driver);
    if (normalized.signal?.aborted) throw aborted("bind");
    return new DatagramSocket(await driver.bind(normalized), normalized, driver);
  }

  async function lookup(hostname: string, options?: LookupOptions): Promise<InetAddress[]> {
    checkHostname("hostname", hostname);
    const raw = checkOptionsObject("options", options, ["family", "all"]);
    const family = raw.family === undefined ? undefined : checkFamily("options.family", raw.family);
    const all = raw.all === undefined ? false : checkBoolean("options.all", raw.all);
    const addresses = await driver.lookup(hostname, family);
    return all ? addresses : addresses.slice(0, 1);
  }

  /** Connect and hang up at once: an answer instead of a throw, like `connect_ex`. */
  async function probe(target: ConnectTarget, options?: ProbeOptions): Promise<ProbeResult> {
    const raw = checkOptionsObject("options", options, ["timeout"]);
    const timeout =
      raw.timeout === undefined ? 5000 : checkMilliseconds("options.timeout", raw.timeout);
    // Bad input is still an exception: only network outcomes become answers.
    const normalized = normalizeConnect(target, { timeout });
    checkSupported("connect", {}, normalized, driver);
    const started = performance.now();
    try {
      const handle = await openStream(driver, normalized);
      const rtt = performance.now() - started;
      handle.start({ data() {}, end() {}, drain() {}, close() {} });
      handle.close();
      return { ok: true, rtt };
    } catch (error) {
      if (error instanceof SocketError) return { ok: false, code: error.code };
      throw error;
    }
  }

  return Object.freeze({ runtime, capabilities, monitor, connect, listen, bind, lookup, probe });
}

/**
 * The driver's connect, bounded by the user's signal and the connect timeout. The driver is
 * asked to give up too, and a handle that arrives after we gave up is closed, not leaked.
 */
async function openStream(
  driver: Driver,
  options: ReturnType<typeof normalizeConnect>,
): Promise<StreamHandle> {
  const { signal, timeout } = options;
  if (signal?.aborted) throw aborted("connect");
  // Nothing can cut the attempt short: no bookkeeping for it (a server's connection storm).
  if (!signal && timeout === 0) return driver.connect(options, undefined);
  const controller = new AbortController();
  let reason: SocketError | undefined;
  let giveUp: ((error: SocketError) => void) | undefined;
  const stop = (error: SocketError) => {
    reason ??= error;
    controller.abort();
    giveUp?.(reason);
  };
  const onAbort = () => stop(aborted("connect"));
  signal?.addEventListener("abort", onAbort, { once: true });
  const timer =
    timeout > 0
      ? setTimeout(
          () =>
            stop(
              new SocketError("ETIMEDOUT", `connect timed out after ${timeout} ms`, {
                syscall: "connect",
              }),
            ),
          timeout,
        )
      : undefined;
  const attempt = driver.connect(options, controller.signal);
  attempt.then(
    (handle) => {
      if (reason) handle.close();
    },
    () => {},
  );
  try {
    return await new Promise<StreamHandle>((resolve, reject) => {
      giveUp = reject;
      attempt.then(resolve, (error) => reject(reason ?? error));
    });
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

function aborted(syscall: string): SocketError {
  return new SocketError("EABORTED", `the signal aborted ${syscall}`, { syscall });
}
