import type { HostAddress, InetAddress } from "./address.js";
import { type Driver, ignoreEvents, type StreamHandle } from "./driver.js";
import { type DatagramSocket, openDatagram } from "./datagram.js";
import { SocketError } from "./error.js";
import { monitor } from "./monitor.js";
import type {
  BindOptions,
  ConnectOptions,
  ConnectTarget,
  ListenOptions,
  LookupOptions,
  NormalizedConnectOptions,
  ProbeOptions,
} from "./options.js";
import { ipFamily } from "./parse-address.js";
import { openServer, type Server } from "./server.js";
import { Socket } from "./socket.js";
import type { ProbeResult } from "./types.js";
import type { Capabilities } from "./capabilities.js";
import type { Monitor } from "./monitor.js";
import {
  checkBoolean,
  checkFamily,
  checkHostname,
  checkMilliseconds,
  checkOptionsObject,
} from "./check.js";
import { checkSupported, normalizeBind, normalizeConnect, normalizeListen } from "./normalize.js";

/**
 * What every adapter (`@omnisock/node`, `@omnisock/bun`, `@omnisock/deno`) and `omnisock`
 * export, with the same names and the same behaviour on every runtime.
 *
 * Every function checks its arguments before any I/O: a wrong type is a `TypeError`, a value
 * out of range a `RangeError`, each naming the argument and the value; a misspelt option is a
 * `TypeError` too, never ignored. An option the runtime cannot honour is a
 * {@link SocketError} with code `ENOTSUP` naming the option and the runtime (see
 * {@link Capabilities}). Network failures are a {@link SocketError} with a stable `code`.
 * The functions are `async`: each of these errors is a rejection of the promise they return.
 */
export interface Omnisock {
  /** The runtime whose driver this is. */
  readonly runtime: "node" | "bun" | "deno";
  /**
   * What this runtime can honour. An option or call it cannot is refused with `ENOTSUP`
   * naming it, never silently ignored.
   */
  readonly capabilities: Capabilities;
  /**
   * Every live socket, server and datagram socket of the process, and their lifecycle
   * events: one registry, shared by every adapter.
   */
  readonly monitor: Monitor;
  /**
   * Open a TCP, TLS or Unix-domain stream connection. Resolves once the connection is up
   * (with `tls`, once the handshake is over and the server verified).
   *
   * A host name is resolved through the system resolver (as {@link Omnisock.lookup}) and its
   * addresses are raced, Happy Eyeballs style (RFC 8305): the families alternate, the next
   * address is tried when one fails or 250 ms after it started, and the first to connect
   * wins. `options.timeout` and `options.signal` bound all of it, the lookup and the TLS
   * handshake included.
   *
   * @param target Where to connect: `"host:port"`, `"[v6]:port"`, `"tcp://host:port"`,
   *   `"unix:///path"`, `"unix:@abstract"`, `{ hostname, port }`, `{ path }`, or an address the
   *   library reported (such as `server.address`).
   * @param options How to connect, and the new socket's options.
   * @returns The connected socket.
   * @throws TypeError or RangeError for a malformed target or option: a UDP target
   *   (`udp://…`), a target without a host, port 0, an unknown option, `localAddress`, `family`
   *   or `tls` with a Unix target.
   * @throws {@link SocketError} `ENOTSUP` for what the runtime cannot do: Unix sockets
   *   (`capabilities.unix`, `unixAbstract`), `keepAliveDelay`, `sendBufferSize` /
   *   `receiveBufferSize` (`streamBufferSize`), `localAddress` (`connectLocalAddress`),
   *   `allowHalfOpen: true` (`halfOpen`), TLS (`tls`, `tlsNoVerify`, `tlsClientCertificate`).
   * @throws {@link SocketError} for a failure to connect: `ECONNREFUSED`, `ENOTFOUND`,
   *   `ETIMEDOUT` (`options.timeout`), `EABORTED` (`options.signal`), `EHOSTUNREACH`,
   *   `ENETUNREACH`, `EADDRNOTAVAIL`, `EACCES`, `ECONNRESET`, `ETLS` (a failed handshake or
   *   verification).
   */
  connect(target: ConnectTarget, options?: ConnectOptions): Promise<Socket>;
  /**
   * Listen for TCP, TLS or Unix-domain connections: on `hostname` and `port`, on a Unix
   * `path`, or on an inherited listening socket (`fd`). Resolves once listening.
   *
   * Each accepted connection is handed to `onConnection` as a {@link Socket}; without it,
   * read them with `for await (const socket of server)`. What `onConnection` throws (or the
   * promise it returns rejects with) is reported to the monitor as an `error` event, or to
   * the console while nobody subscribes: it never crashes the process. A TLS connection whose
   * handshake fails is not handed out; it counts in `server.stats.refused`.
   *
   * @param options Where and how to listen, and the accepted sockets' options.
   * @param onConnection Called with each accepted socket.
   * @returns The listening server.
   * @throws TypeError or RangeError for a malformed option, an unknown one, options of two
   *   kinds together (`hostname`/`port`, `path`, `fd`), `tls` with a Unix path, or an
   *   `onConnection` that is not a function.
   * @throws {@link SocketError} `ENOTSUP` for what the runtime cannot do (see each option:
   *   `unix`, `unixAbstract`, `listenFd`, `listenReusePort`, `exclusive`, `listenIpv6Only`,
   *   `backlog`, `unixBacklog`, `keepAliveDelay`, `halfOpen`, `tls`, `tlsClientAuth`).
   * @throws {@link SocketError} for a failure to listen: `EADDRINUSE`, `EACCES`,
   *   `EADDRNOTAVAIL`, `EABORTED` (`options.signal`, after which nothing is left open).
   */
  listen(options: ListenOptions, onConnection?: (socket: Socket) => void): Promise<Server>;
  /**
   * Open a UDP socket bound to `hostname` and `port`. Resolves once bound; datagrams arrive
   * from then on, read with `for await (const { data, remote } of socket)`.
   *
   * **Note:** Deno has UDP only with `--unstable-net`: without it `bind` is `ENOTSUP`
   * (`capabilities.udp`), and the message names the flag.
   *
   * @param options Where to bind and the socket's options.
   * @returns The bound datagram socket.
   * @throws TypeError or RangeError for a malformed option, an unknown one, or a `family`
   *   that contradicts `hostname`.
   * @throws {@link SocketError} `ENOTSUP` for what the runtime cannot do: UDP itself
   *   (`capabilities.udp`), `reuseAddr`, `reusePort: true` (`datagramReusePort`),
   *   `ipv6Only: true` (`datagramIpv6Only`), `broadcast: true`, `ttl`,
   *   `multicastTimeToLive` / `multicastLoopback` (`multicastOptions`), `sendBufferSize` /
   *   `receiveBufferSize` (`datagramBufferSize`).
   * @throws {@link SocketError} for a failure to bind: `EADDRINUSE`, `EADDRNOTAVAIL`,
   *   `EACCES`, `EABORTED` (`options.signal`, after which nothing is left open).
   */
  bind(options?: BindOptions): Promise<DatagramSocket>;
  /**
   * Resolve a host name through the system resolver (getaddrinfo: `/etc/hosts` and the
   * system's DNS settings), as every runtime's own `connect` does.
   *
   * @param hostname A host name, or an IP address (returned as it is).
   * @param options Which family, and whether every address or the first.
   * @returns The addresses in the resolver's order, each with `transport: "tcp"` and port `0`:
   *   the first one only unless `options.all` is `true`.
   * @throws TypeError or RangeError for a `hostname` that is neither an IP address nor a valid
   *   host name, or a malformed option.
   * @throws {@link SocketError} `ENOTFOUND` when the name has no address (of that family).
   */
  lookup(hostname: string, options?: LookupOptions): Promise<InetAddress[]>;
  /**
   * Check whether something accepts connections at `target`: connect and hang up at once.
   * An answer instead of a throw, like `connect_ex`: a network failure resolves with its
   * code rather than rejecting. Names are resolved and raced as by
   * {@link Omnisock.connect}.
   *
   * @param target As for {@link Omnisock.connect}.
   * @param options How long to wait.
   * @returns `{ ok: true, rtt }` with the milliseconds it took to connect (the lookup
   *   included), or `{ ok: false, code }` with the {@link SocketErrorCode} of the failure
   *   (`ECONNREFUSED`, `ETIMEDOUT`, `ENOTFOUND`, …).
   * @throws TypeError or RangeError for a malformed target or option, as `connect`.
   * @throws {@link SocketError} `ENOTSUP` for a Unix target where the runtime has no Unix
   *   sockets (`capabilities.unix`, `unixAbstract`).
   */
  probe(target: ConnectTarget, options?: ProbeOptions): Promise<ProbeResult>;
}

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
    // The signal may have fired between the connection and this continuation.
    if (normalized.signal?.aborted) {
      handle.close();
      throw aborted("connect");
    }
    return new Socket(handle, normalized, "client", driver, {
      signal: normalized.signal,
    });
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
    return abortable(
      normalized.signal,
      "listen",
      openServer((sink) => driver.listen(normalized, sink), normalized, onConnection, driver),
      (server) => void server.close({ graceful: false }),
    );
  }

  async function bind(options?: BindOptions): Promise<DatagramSocket> {
    const normalized = normalizeBind(options);
    checkSupported("bind", (options ?? {}) as Record<string, unknown>, normalized, driver);
    return abortable(
      normalized.signal,
      "bind",
      openDatagram((sink) => driver.bind(normalized, sink), normalized, driver),
      (socket) => void socket.close(),
    );
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
      handle.start(ignoreEvents);
      handle.close();
      return { ok: true, rtt };
    } catch (error) {
      if (error instanceof SocketError) return { ok: false, code: error.code };
      throw error;
    }
  }

  return Object.freeze({ runtime, capabilities, monitor, connect, listen, bind, lookup, probe });
}

/** RFC 8305's "Connection Attempt Delay": the next address is tried after this long. */
const ATTEMPT_DELAY = 250;

/**
 * Connect to the target: a name is resolved through the driver and its addresses are raced,
 * Happy Eyeballs style (RFC 8305): families alternate, each attempt starts when the one before
 * fails or 250 ms after it started, the first to connect wins and the others are given up.
 * The user's signal and the connect timeout bound all of it, the lookup included.
 */
function openStream(driver: Driver, options: NormalizedConnectOptions): Promise<StreamHandle> {
  const { signal, timeout, target } = options;
  const name = target.transport === "unix" || ipFamily(target.hostname) ? undefined : target;
  // Nothing can cut the attempt short: the driver's own promise, with no bookkeeping and no
  // async frame around it (a connection storm).
  if (!name && !signal && timeout === 0) return driver.connect(options, undefined);
  return boundedStream(driver, options, name);
}

/** `openStream` when a name, a timeout or a signal can cut the attempt short. */
async function boundedStream(
  driver: Driver,
  options: NormalizedConnectOptions,
  name: HostAddress | undefined,
): Promise<StreamHandle> {
  const { signal, timeout } = options;
  if (signal?.aborted) throw aborted("connect");
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
  const attempt = name
    ? raceAddresses(driver, options, name, controller.signal)
    : driver.connect(options, controller.signal);
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

/** Resolve `target.hostname` and race its addresses (see `openStream`). */
async function raceAddresses(
  driver: Driver,
  options: NormalizedConnectOptions,
  target: HostAddress,
  signal: AbortSignal,
): Promise<StreamHandle> {
  const addresses = await driver.lookup(target.hostname, options.family);
  if (signal.aborted) throw aborted("connect");
  const ordered = interleaveFamilies(addresses);
  return new Promise<StreamHandle>((resolve, reject) => {
    const attempts = ordered.map(() => new AbortController());
    const onAbort = () => {
      for (const attempt of attempts) attempt.abort();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    let first: unknown;
    let failed = 0;
    let next = 0;
    let won = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const start = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      if (won || signal.aborted || next >= ordered.length) return;
      const index = next++;
      const address = ordered[index]!;
      const own = attempts[index]!;
      driver
        .connect(
          {
            ...options,
            target: { transport: "tcp", hostname: address.hostname, port: target.port },
          },
          own.signal,
        )
        .then(
          (handle) => {
            if (won || signal.aborted) return handle.close();
            won = true;
            if (timer !== undefined) clearTimeout(timer);
            signal.removeEventListener("abort", onAbort);
            attempts.forEach((other, at) => at !== index && other.abort());
            resolve(handle);
          },
          (error: unknown) => {
            // The first address is the one the resolver preferred: its failure says most.
            if (index === 0) first = error;
            if (++failed === ordered.length) {
              signal.removeEventListener("abort", onAbort);
              reject(first);
            } else {
              start();
            }
          },
        );
      if (next < ordered.length) timer = setTimeout(start, ATTEMPT_DELAY);
    };
    start();
  });
}

/** RFC 8305 §4: the first address's family first, then the families alternate. */
function interleaveFamilies(addresses: readonly InetAddress[]): InetAddress[] {
  const first = addresses[0]?.family;
  const same = addresses.filter((address) => address.family === first);
  const other = addresses.filter((address) => address.family !== first);
  const ordered: InetAddress[] = [];
  for (let index = 0; index < Math.max(same.length, other.length); index++) {
    if (index < same.length) ordered.push(same[index]!);
    if (index < other.length) ordered.push(other[index]!);
  }
  return ordered;
}

/**
 * `opening`, unless `signal` aborts first: then the call rejects with `EABORTED` at once, and
 * what `opening` brings later is released, so that an abort during listen or bind leaves
 * nothing open.
 */
function abortable<T>(
  signal: AbortSignal | undefined,
  syscall: string,
  opening: Promise<T>,
  release: (opened: T) => void,
): Promise<T> {
  if (!signal) return opening;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(aborted(syscall));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    opening.then(
      (opened) => {
        signal.removeEventListener("abort", onAbort);
        if (signal.aborted) release(opened);
        else resolve(opened);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(signal.aborted ? aborted(syscall) : error);
      },
    );
  });
}

function aborted(syscall: string): SocketError {
  return new SocketError("EABORTED", `the signal aborted ${syscall}`, { syscall });
}
