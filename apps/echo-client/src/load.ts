/**
 * The load generator. Each of N connections sends M messages of S bytes to an echo server,
 * one at a time: it sends a message, reads until S bytes have come back, checks them byte for
 * byte, and only then sends the next. So every round trip is timed on its own, and TCP's
 * splitting ("Hel" + "lo") cannot confuse the check: the echo of one message is exactly the
 * next S bytes. Over UDP a datagram is one whole echo.
 */
import { describeError } from "./cli.js";
import { formatBytes, formatCount, formatDuration, formatEndpoint, plural } from "./format.js";
import { connectDatagram } from "./datagram.js";
import { type Address, connect, parseAddress } from "./omnisock.js";

export interface LoadOptions {
  /** The echo server: `"host:port"` (TCP), `"unix:///path"` (Unix) or `"udp://host:port"`. */
  readonly target: string;
  /** Connections (for UDP, sockets) running at once. */
  readonly connections: number;
  /** Messages each connection sends, one after the other. */
  readonly messages: number;
  /** Bytes in a message. */
  readonly size: number;
  /** Stop after this many milliseconds in all; what is unfinished then is an error. @default 30_000 */
  readonly timeout?: number;
  /** Stops the run early, as the timeout does. */
  readonly signal?: AbortSignal;
  /** Called when every connection has finished sending and none is closed yet: the moment for a snapshot. */
  readonly beforeClose?: () => void;
  /** Called as the messages start to go, then every 250 ms until the last echo, with how far it got. */
  readonly onProgress?: (progress: LoadProgress) => void;
}

/** How far a load run got: what `onProgress` receives. */
export interface LoadProgress {
  /** Messages whose echo came back whole and equal, so far. */
  readonly echoed: number;
  /** Messages the run sends in all. */
  readonly total: number;
  /** Mismatches and errors so far. */
  readonly failed: number;
  /** Milliseconds since the first message was sent. */
  readonly elapsed: number;
}

export interface LoadReport {
  readonly target: Address;
  readonly connections: number;
  readonly messages: number;
  readonly size: number;
  /** Messages whose echo came back whole and equal. */
  readonly echoed: number;
  /** Messages whose echo differed; a connection stops at its first. */
  readonly mismatched: number;
  /** Failures other than a mismatch: refused, reset, closed early, lost datagram, timeout. */
  readonly errors: number;
  /** The first few mismatches and errors, one line each. */
  readonly problems: readonly string[];
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /** Milliseconds to open every connection. */
  readonly connectTime: number;
  /** Milliseconds from the first message sent to the last echo checked. */
  readonly elapsed: number;
  /** Round-trip times in milliseconds; `undefined` when no message came back. */
  readonly latency:
    | { readonly p50: number; readonly p99: number; readonly max: number }
    | undefined;
  /** Why the run ended before its end (the timeout, the signal), or `undefined`. */
  readonly stopped: string | undefined;
  /** Every message echoed, no mismatch, no error. */
  readonly ok: boolean;
}

const CONNECT_TIMEOUT = 5_000;
// Often enough for a progress line to look alive, rarely enough to cost nothing.
const PROGRESS_INTERVAL = 250;
// Loopback does not lose datagrams unless a queue overflows; a wait this long means one is lost.
const DATAGRAM_TIMEOUT = 2_000;
const MAX_PROBLEMS = 10;
// Every round trip is kept for exact percentiles: 8 bytes each, so at most 80 MB.
const MAX_MESSAGES_IN_ALL = 10_000_000;
const MAX_STREAM_MESSAGE = 16 * 1024 * 1024;
const MAX_DATAGRAM = 65_507;

/** One connection as the exchange sees it, whatever the transport. */
interface Channel {
  send(message: Uint8Array): Promise<void> | void;
  /** The next bytes of the echo; `undefined` once the server has closed. */
  receive(): Promise<Uint8Array | undefined>;
  /** Each receive is one whole echo (UDP), not a part of one. */
  readonly whole: boolean;
  close(): Promise<void>;
  readonly stats: { readonly bytesSent: number; readonly bytesReceived: number };
}

interface Tally {
  echoed: number;
  mismatched: number;
  errors: number;
  readonly problems: string[];
  readonly latencies: Float64Array;
}

class Mismatch extends Error {
  override name = "Mismatch";
}

/** Run the load and report; never throws for a network failure, only for bad options. */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const target = parseAddress(options.target);
  const { connections, messages, size } = options;
  checkCount("connections", connections, 10_000);
  checkCount("messages", messages, MAX_MESSAGES_IN_ALL);
  checkCount("size", size, target.transport === "udp" ? MAX_DATAGRAM : MAX_STREAM_MESSAGE);
  if (connections * messages > MAX_MESSAGES_IN_ALL) {
    throw new RangeError(
      `connections × messages must be at most ${formatCount(MAX_MESSAGES_IN_ALL)}`,
    );
  }
  const timeout = options.timeout ?? 30_000;
  // One signal stops everything: the timeout's or the caller's. A plain timer, cleared at the
  // end, so that no runtime is kept alive by it.
  const stop = new AbortController();
  let stopped: string | undefined;
  const timer = setTimeout(() => {
    stopped ??= `stopped by the timeout of ${formatDuration(timeout)}`;
    stop.abort();
  }, timeout);
  const onAbort = () => {
    stopped ??= "stopped by the signal";
    stop.abort();
  };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const signal = stop.signal;

  const tally: Tally = {
    echoed: 0,
    mismatched: 0,
    errors: 0,
    problems: [],
    latencies: new Float64Array(connections * messages),
  };
  const fail = (label: string, error: unknown) => {
    if (error instanceof Mismatch) tally.mismatched++;
    else tally.errors++;
    if (tally.problems.length < MAX_PROBLEMS) {
      tally.problems.push(`${label}: ${describeError(error)}`);
    }
  };

  const connectStarted = performance.now();
  const channels = await Promise.all(
    Array.from({ length: connections }, (_, index) =>
      openChannel(options.target, target, signal).catch((error: unknown) => {
        fail(`connection ${index + 1}`, error);
        return undefined;
      }),
    ),
  );
  const connectTime = performance.now() - connectStarted;

  const started = performance.now();
  const { onProgress } = options;
  const reportProgress = () => {
    try {
      onProgress?.({
        echoed: tally.echoed,
        total: connections * messages,
        failed: tally.mismatched + tally.errors,
        elapsed: performance.now() - started,
      });
    } catch (error) {
      fail("onProgress", error);
    }
  };
  // Once at the start, so that even a short run shows that it is running, then as it goes.
  reportProgress();
  const progress = onProgress && setInterval(reportProgress, PROGRESS_INTERVAL);
  await Promise.all(
    channels.map((channel, index) =>
      channel
        ? exchange(channel, index, messages, size, tally).catch((error: unknown) =>
            fail(`connection ${index + 1}`, error),
          )
        : undefined,
    ),
  );
  const elapsed = performance.now() - started;
  clearInterval(progress);
  clearTimeout(timer);
  options.signal?.removeEventListener("abort", onAbort);

  try {
    options.beforeClose?.();
  } catch (error) {
    fail("beforeClose", error);
  }
  const opened = channels.filter((channel) => channel !== undefined);
  await Promise.all(opened.map((channel) => channel.close()));
  let bytesSent = 0;
  let bytesReceived = 0;
  for (const { stats } of opened) {
    bytesSent += stats.bytesSent;
    bytesReceived += stats.bytesReceived;
  }

  const latencies = tally.latencies.subarray(0, tally.echoed).sort();
  return {
    target,
    connections,
    messages,
    size,
    echoed: tally.echoed,
    mismatched: tally.mismatched,
    errors: tally.errors,
    problems: tally.problems,
    bytesSent,
    bytesReceived,
    connectTime,
    elapsed,
    latency:
      latencies.length === 0
        ? undefined
        : {
            p50: percentile(latencies, 0.5),
            p99: percentile(latencies, 0.99),
            max: latencies[latencies.length - 1]!,
          },
    stopped,
    ok:
      tally.echoed === connections * messages &&
      tally.mismatched === 0 &&
      tally.errors === 0 &&
      !stopped,
  };
}

/** The report as a few aligned lines, ending in a newline. */
export function formatReport(report: LoadReport): string {
  const { connections, messages, size, echoed, elapsed, latency } = report;
  const seconds = elapsed / 1000;
  const lines = [
    `${report.target.transport} ${formatEndpoint(report.target)}: ` +
      `${plural(connections, report.target.transport === "udp" ? "socket" : "connection")} × ` +
      `${plural(messages, "message")} × ${formatBytes(size)}`,
    `  echoed      ${formatCount(echoed)} of ${plural(connections * messages, "message")}, ` +
      `${formatCount(report.mismatched)} mismatched, ${plural(report.errors, "error")}`,
    `  bytes       ${formatBytes(report.bytesSent)} sent, ${formatBytes(report.bytesReceived)} received`,
    `  time        connect ${formatDuration(report.connectTime)}, exchange ${formatDuration(elapsed)}`,
  ];
  if (echoed > 0 && seconds > 0) {
    lines.push(
      `  throughput  ${formatCount(Math.round(echoed / seconds))} msg/s, ` +
        `${((echoed * size) / seconds / 1e6).toFixed(2)} MB/s each way`,
    );
  }
  if (latency) {
    lines.push(
      `  latency     p50 ${formatDuration(latency.p50)}, p99 ${formatDuration(latency.p99)}, max ${formatDuration(latency.max)}`,
    );
  }
  if (report.stopped) lines.push(`  ! ${report.stopped}`);
  for (const problem of report.problems) lines.push(`  ! ${problem}`);
  const unlisted = report.mismatched + report.errors - report.problems.length;
  if (unlisted > 0) lines.push(`  ! … and ${formatCount(unlisted)} more`);
  lines.push(`  result      ${report.ok ? "ok" : "FAILED"}`);
  return `${lines.join("\n")}\n`;
}

/** One line for a run in progress: `42,000 of 100,000 messages echoed, 1.2 s, 35,000 msg/s`. */
export function formatProgress(progress: LoadProgress): string {
  const { echoed, total, failed, elapsed } = progress;
  const rate = elapsed > 0 ? `, ${formatCount(Math.round(echoed / (elapsed / 1000)))} msg/s` : "";
  const failures = failed > 0 ? `, ${formatCount(failed)} failed` : "";
  return `${formatCount(echoed)} of ${plural(total, "message")} echoed${failures}, ${formatDuration(elapsed)}${rate}`;
}

function checkCount(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new RangeError(
      `The "${name}" option must be an integer from 1 to ${formatCount(max)}. Received ${value}`,
    );
  }
}

/** Nearest rank: the smallest value with at least `fraction` of all values at or below it. */
function percentile(sorted: Float64Array, fraction: number): number {
  return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)]!;
}

function openChannel(text: string, target: Address, signal: AbortSignal): Promise<Channel> {
  return target.transport === "udp" ? openDatagram(target, signal) : openStream(text, signal);
}

async function openStream(target: string, signal: AbortSignal): Promise<Channel> {
  const socket = await connect(target, { signal, timeout: CONNECT_TIMEOUT });
  const chunks = socket[Symbol.asyncIterator]();
  return {
    whole: false,
    // The next message is sent only after this one's echo, so at most one is queued: no need to wait for flush().
    send: (message) => void socket.write(message),
    receive: async () => {
      const result = await chunks.next();
      return result.done ? undefined : result.value;
    },
    close: () => socket.close(),
    get stats() {
      return socket.stats;
    },
  };
}

async function openDatagram(
  target: { hostname: string; port: number },
  signal: AbortSignal,
): Promise<Channel> {
  const socket = await connectDatagram(target, signal);
  const datagrams = socket[Symbol.asyncIterator]();
  return {
    whole: true,
    send: (message) => socket.send(message),
    receive: async () => {
      const result = await within(
        datagrams.next(),
        DATAGRAM_TIMEOUT,
        "no echo: a datagram was lost",
      );
      return result.done ? undefined : result.value.data;
    },
    close: () => socket.close(),
    get stats() {
      return socket.stats;
    },
  };
}

/** Send `messages` messages one by one, checking and timing each echo. */
async function exchange(
  channel: Channel,
  index: number,
  messages: number,
  size: number,
  tally: Tally,
): Promise<void> {
  const message = new Uint8Array(size);
  for (let sequence = 0; sequence < messages; sequence++) {
    fill(message, index, sequence);
    const started = performance.now();
    await channel.send(message);
    let received = 0;
    while (received < size) {
      const chunk = await channel.receive();
      if (chunk === undefined) {
        throw new Error(
          `closed by the server after ${received} of ${size} bytes of message ${sequence + 1}`,
        );
      }
      const difference = compare(message, received, chunk, channel.whole);
      if (difference) throw new Mismatch(`message ${sequence + 1}: ${difference}`);
      received += chunk.byteLength;
    }
    tally.latencies[tally.echoed++] = performance.now() - started;
  }
}

/** A different pattern for every connection and message, so a stale or crossed echo does not pass. */
function fill(message: Uint8Array, index: number, sequence: number): void {
  const seed = index * 131 + sequence * 31;
  for (let i = 0; i < message.length; i++) message[i] = (seed + i) & 0xff;
}

/** What is wrong with `chunk` as the bytes from `offset` on of the echo of `sent`, or `undefined`. */
function compare(
  sent: Uint8Array,
  offset: number,
  chunk: Uint8Array,
  whole: boolean,
): string | undefined {
  if (whole && chunk.length !== sent.length) {
    return `a datagram of ${chunk.length} bytes came back for one of ${sent.length}`;
  }
  if (offset + chunk.length > sent.length) {
    return `${offset + chunk.length - sent.length} bytes more came back than were sent`;
  }
  for (let i = 0; i < chunk.length; i++) {
    if (chunk[i] !== sent[offset + i]) {
      return `byte ${offset + i} came back as ${chunk[i]}, sent ${sent[offset + i]}`;
    }
  }
  return undefined;
}

function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
