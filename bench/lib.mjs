// What every bench program shares: arguments, the runtime, one JSON line per result, a
// watchdog, timing, memory and statistics. No runtime-specific import, so that it loads
// unchanged on Node, Bun and Deno.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { SERVERNAME } from "./certs.mjs";

/**
 * The listen backlog of every bench server whose API can set one: the kernel's cap here
 * (net.core.somaxconn). A client's connect completes in the kernel before the server accepts,
 * so S6's client can get far ahead of its server; once the accept queue is full the kernel
 * drops SYNs, and each drop costs its connect a 1 s retransmit, which the connection rate
 * would measure instead of either program. Bun.listen asks for 512 and cannot be told
 * otherwise. run.mjs counts the drops of each S6 and S7 run (`listenDrops`).
 */
export const BACKLOG = 4096;

/** "node" | "bun" | "deno" */
export const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";

const DEFAULTS = {
  host: "127.0.0.1",
  port: 0,
  mode: "echo",
  once: false,
  chunk: 65536,
  secs: 5,
  size: 32,
  count: 20000,
  warmup: 2000,
  conns: 100,
  "warmup-secs": 1,
  expect: 0,
  parallel: 128,
  settle: 500,
  "read-buffer": 65536,
  // S7: the server's process id, whose CPU time the client reads over the timed window.
  "server-pid": 0,
  "max-secs": 60,
  // TLS instead of plain TCP, with the certificates that certs.mjs wrote into --certs.
  tls: false,
  certs: "",
};

/** `command --name value --flag` into `{ command, name, flag }`, numbers as numbers. */
export function parseArgs(argv) {
  const options = { ...DEFAULTS, command: argv[0] };
  for (let index = 1; index < argv.length; index++) {
    const word = argv[index];
    if (!word.startsWith("--")) throw new TypeError(`unexpected argument ${word}`);
    const name = word.slice(2);
    const next = argv[index + 1];
    if (next === undefined || next.startsWith("--")) {
      options[name] = true;
      continue;
    }
    options[name] = /^-?\d+(\.\d+)?$/.test(next) ? Number(next) : next;
    index++;
  }
  return options;
}

export const args = parseArgs(process.argv.slice(2));

export { SERVERNAME };

/**
 * With --tls, the PEMs the runner made (certs.mjs) — `ca` for clients to verify against,
 * `cert` and `key` for servers — else undefined: the program runs plain TCP.
 */
export function tlsMaterial() {
  if (!args.tls) return undefined;
  if (!args.certs) throw new TypeError("--tls needs --certs <dir> (made by certs.mjs)");
  const read = (name) => readFileSync(join(args.certs, name), "utf8");
  return { ca: read("ca.pem"), cert: read("cert.pem"), key: read("key.pem") };
}

/** The API a program measures, set once by the program for its output lines. */
let api = "unknown";
function setApi(name) {
  api = name;
}

/** One result or event as one JSON line on stdout: what the runner reads. */
export function emit(record) {
  console.log(JSON.stringify({ runtime, api, role: roleOf(args.command), ...record }));
}

function roleOf(command) {
  return command === "server" ? "server" : "client";
}

/**
 * Run a program: the API it measures and its commands, of which the one named on the command
 * line runs. Every program stops by itself (the watchdog) and reports a failure as a line.
 */
export function main(apiName, commands) {
  setApi(apiName);
  startWatchdog();
  const command = commands[args.command];
  if (!command) fail(`unknown command ${args.command}`);
  command().catch(fail);
}

/** Report the error as a JSON line and end the process with a failure code. */
export function fail(error) {
  emit({ error: String(error?.stack ?? error) });
  process.exit(2);
}

/** End the process once the result is out. */
export function finish() {
  process.exit(0);
}

/** Every program stops by itself: after `seconds`, it reports a timeout and exits. */
function startWatchdog(seconds = args["max-secs"]) {
  const timer = setTimeout(() => {
    emit({ error: `watchdog: still running after ${seconds} s` });
    process.exit(3);
  }, seconds * 1000);
  // The watchdog must not be what keeps the process alive.
  if (runtime === "deno") globalThis.Deno.unrefTimer(timer);
  else timer.unref?.();
  process.on?.("unhandledRejection", fail);
}

export const now = () => performance.now();

/** A full collection where the runtime exposes one (node --expose-gc, Bun.gc, deno --v8-flags=--expose-gc). */
function collectGarbage() {
  if (runtime === "bun") {
    globalThis.Bun.gc(true);
    return true;
  }
  if (typeof globalThis.gc === "function") {
    globalThis.gc();
    globalThis.gc();
    return true;
  }
  return false;
}

/** RSS and JS heap in bytes, after a collection where possible. */
export function memory() {
  const collected = collectGarbage();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external ?? 0, gc: collected };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** p50 / p99 / mean of the first `count` latencies (ms) in µs. */
function latencySummary(latencies) {
  const sorted = Float64Array.from(latencies).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 1000;
  let total = 0;
  for (const value of sorted) total += value;
  return { p50: round(at(0.5)), p99: round(at(0.99)), mean: round((total / sorted.length) * 1000) };
}

export function round(value, digits = 1) {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** MB/s, with MB = 10⁶ bytes. */
function megabytesPerSecond(bytes, milliseconds) {
  return round(bytes / 1e6 / (milliseconds / 1000), 2);
}

// The results, measured and reported the same way whatever API a program drives.

export function reportBulk(bytes, elapsed) {
  emit({ scenario: "bulk", bytes, secs: round(elapsed / 1000, 3) });
}

export function reportSmall(messages, size, elapsed) {
  emit({ scenario: "small", bytes: messages * size, messages, secs: round(elapsed / 1000, 3) });
}

/**
 * The ping-pong clock, the same for every program: `start()` as the first message goes out,
 * `reply()` as each answer is in (before the next message goes). After --warmup untimed round
 * trips it times --count of them; `reply()` returns true once the last is in, and has then
 * reported the result.
 */
export function pingpongClock() {
  const { count, warmup } = args;
  const latencies = new Float64Array(count);
  let done = 0;
  let sentAt = 0;
  let timedFrom = 0;
  return {
    start() {
      timedFrom = sentAt = now();
    },
    reply() {
      const time = now();
      if (done >= warmup) latencies[done - warmup] = time - sentAt;
      else if (done === warmup - 1) timedFrom = time;
      done++;
      sentAt = time;
      if (done < warmup + count) return false;
      reportPingpong(count, time - timedFrom, latencies);
      return true;
    },
  };
}

/** `count` timed round trips in `elapsed` ms, with each one's latency (ms). */
function reportPingpong(count, elapsed, latencies) {
  emit({
    scenario: "pingpong",
    count,
    rtps: Math.round(count / (elapsed / 1000)),
    ...latencySummary(latencies),
  });
}

/**
 * S3's window: after --warmup-secs, count the round trips `roundTrips()` reports over --secs
 * and report them, for `conns` connections.
 */
export async function countRoundTrips(conns, roundTrips) {
  await sleep(args["warmup-secs"] * 1000);
  const startCount = roundTrips();
  const started = now();
  await sleep(args.secs * 1000);
  const counted = roundTrips() - startCount;
  const elapsed = now() - started;
  emit({
    scenario: "conc",
    conns,
    roundTrips: counted,
    rtps: Math.round(counted / (elapsed / 1000)),
  });
}

/**
 * S6, the client's side: open --conns connections, --parallel at a time, with `open`; let
 * `settle(connections)` start whatever an idle connection keeps (a pending read), then report
 * what they cost once --settle ms have passed. Returns the connections.
 */
export async function holdConnections(open, settle) {
  const baseline = memory();
  // Half of them, a pause in which both ends measure, then the rest: what the rest cost is
  // what one more connection costs, without what the first ones bring once (compiled code,
  // the heap's growth).
  const half = halfOf(args.conns);
  let started = now();
  const connections = await openMany(half, args.parallel, open);
  let elapsed = now() - started;
  settle?.(connections);
  await sleep(args.settle);
  const middle = memory();
  await sleep(args.settle);
  started = now();
  const rest = await openMany(args.conns - half, args.parallel, open);
  elapsed += now() - started;
  settle?.(rest);
  connections.push(...rest);
  await sleep(args.settle);
  const after = memory();
  emit({
    scenario: "hold",
    conns: connections.length,
    connectSecs: round(elapsed / 1000, 3),
    connPerSec: Math.round(connections.length / (elapsed / 1000)),
    rssDelta: after.rss - baseline.rss,
    rssPerConn: Math.round((after.rss - baseline.rss) / connections.length),
    heapPerConn: Math.round((after.heapUsed - baseline.heapUsed) / connections.length),
    rssPerMoreConn: Math.round((after.rss - middle.rss) / rest.length),
    heapPerMoreConn: Math.round((after.heapUsed - middle.heapUsed) / rest.length),
    gc: after.gc,
  });
  return connections;
}

/**
 * Open `total` connections with at most `parallel` attempts in flight. That does not bound the
 * server's accept queue (an attempt ends when the kernel has connected it): `BACKLOG` does.
 */
export async function openMany(total, parallel, open) {
  const results = Array.from({ length: total });
  let next = 0;
  async function lane() {
    while (next < total) {
      const index = next++;
      results[index] = await open(index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(parallel, total) }, lane));
  return results;
}

/** A payload of `size` bytes (not all zero, so that nothing can be elided). */
export function payload(size) {
  const bytes = new Uint8Array(size);
  for (let index = 0; index < size; index++) bytes[index] = 97 + (index % 26);
  return bytes;
}

/** Where S6 pauses to measure (`holdConnections`, `holdServer`). */
const halfOf = (conns) => Math.floor(conns / 2);

/**
 * Shared bookkeeping of the S6 "hold" server: measure the memory of `expect` idle
 * connections once they are all accepted and the client says it has measured its side.
 */
export function holdServer(expect, settleMs, closeAll) {
  const half = halfOf(expect);
  const state = { accepted: 0, go: false, done: false, baseline: undefined, startedAt: 0 };
  return {
    baseline() {
      state.baseline = memory();
    },
    accepted() {
      if (state.accepted === 0) state.startedAt = now();
      state.accepted++;
      // The client pauses after half of them to measure (holdConnections): so does this
      // side, and the pause is not accepting time.
      if (state.accepted === half) {
        state.halfAt = now();
        setTimeout(() => (state.middle = memory()), settleMs);
      }
      if (state.accepted === half + 1) state.paused = now() - state.halfAt;
      if (state.accepted === expect) state.allAt = now();
      check();
    },
    go() {
      state.go = true;
      check();
    },
    get count() {
      return state.accepted;
    },
  };
  function check() {
    if (state.done || !state.go || state.accepted < expect) return;
    state.done = true;
    setTimeout(() => {
      const after = memory();
      const base = state.baseline;
      emit({
        scenario: "hold",
        conns: expect,
        acceptSecs: round((state.allAt - state.startedAt - state.paused) / 1000, 3),
        rssDelta: after.rss - base.rss,
        heapDelta: after.heapUsed - base.heapUsed,
        rssPerConn: Math.round((after.rss - base.rss) / expect),
        heapPerConn: Math.round((after.heapUsed - base.heapUsed) / expect),
        rssPerMoreConn: Math.round((after.rss - state.middle.rss) / (expect - half)),
        heapPerMoreConn: Math.round((after.heapUsed - state.middle.heapUsed) / (expect - half)),
        gc: after.gc,
      });
      closeAll();
      finish();
    }, settleMs);
  }
}

/**
 * CPU time (user + system, ms) of process `pid` (`"self"` for this one), from /proc: one way
 * for every runtime, and for the server's process as well as the client's. Linux counts it in
 * clock ticks (USER_HZ, 100 a second on every Linux the bench runs on): 10 ms steps, which is
 * why S7 reads it over a window of seconds. `undefined` where there is no /proc.
 */
export function cpuTime(pid = "self") {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count fields after its ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15, that is 11 and 12 after the state (field 3).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/**
 * S7, the client's side: open --conns connections (--parallel at a time) with
 * `open(received)`, whose connection calls `received(byteLength)` for every chunk it reads;
 * `send(connection, message)` writes one --size message. Every connection then
 * sends one message a second, spread evenly over the second (100 slots of 10 ms); after
 * --warmup-secs, --secs are timed: each round trip's latency, and the CPU time both processes
 * (this one and --server-pid) spent in the window. A connection whose last message is still
 * unanswered when its turn comes skips it (counted as `late`). Resolves with the connections
 * once the answers of the window are in (at most 5 s later).
 */
export async function scaleRoundTrips(open, send) {
  const { conns, secs, size } = args;
  const SLOTS = 100;
  const SLOT_MS = 1000 / SLOTS;
  // When each connection's message went (ms), or -1 when none is unanswered.
  const sentAt = new Float64Array(conns).fill(-1);
  const latencies = new Float64Array(conns * Math.ceil(secs));
  let timed = 0;
  let late = 0;
  let inFlight = 0;
  let windowFrom = Infinity;
  let windowTo = Infinity;
  const replied = (index) => {
    const at = sentAt[index];
    if (at < 0) fail(`connection ${index}: an answer to no message (${size} B expected)`);
    sentAt[index] = -1;
    inFlight--;
    if (at >= windowFrom && at < windowTo && timed < latencies.length)
      latencies[timed++] = now() - at;
  };
  const connections = await openMany(conns, args.parallel, (index) => {
    let got = 0;
    return open((length) => {
      for (got += length; got >= size; got -= size) replied(index);
    });
  });
  const message = payload(size);
  const started = now();
  windowFrom = started + args["warmup-secs"] * 1000;
  windowTo = windowFrom + secs * 1000;
  let cpuFrom;
  let slot = 0;
  // Slot by slot on absolute times, so that a late timer catches up rather than drifts.
  while (started + slot * SLOT_MS < windowTo) {
    const due = started + slot * SLOT_MS;
    const wait = due - now();
    if (wait > 0) await sleep(wait);
    if (cpuFrom === undefined && due >= windowFrom)
      cpuFrom = { client: cpuTime(), server: cpuTime(args["server-pid"]), at: now() };
    for (let index = slot % SLOTS; index < conns; index += SLOTS) {
      if (sentAt[index] >= 0) {
        if (due >= windowFrom) late++;
        continue;
      }
      sentAt[index] = now();
      inFlight++;
      send(connections[index], message);
    }
    slot++;
  }
  const until = now() + 5_000;
  while (inFlight > 0 && now() < until) await sleep(10);
  const cpuTo = { client: cpuTime(), server: cpuTime(args["server-pid"]), at: now() };
  const cpuMs = (side) =>
    cpuFrom?.[side] === undefined || cpuTo[side] === undefined
      ? undefined
      : cpuTo[side] - cpuFrom[side];
  const perRoundTrip = (ms) =>
    ms === undefined || timed === 0 ? undefined : round((ms * 1000) / timed, 2);
  const client = cpuMs("client");
  const server = cpuMs("server");
  emit({
    scenario: "scale",
    conns,
    roundTrips: timed,
    late,
    unanswered: inFlight,
    ...latencySummary(latencies.subarray(0, timed)),
    cpuUsPerRt: perRoundTrip(
      client === undefined || server === undefined ? undefined : client + server,
    ),
    clientCpuUsPerRt: perRoundTrip(client),
    serverCpuUsPerRt: perRoundTrip(server),
  });
  return connections;
}

/** Shared bookkeeping of the S1/S5 sink: bytes from the first byte to EOF. */
export function sinkCounter() {
  let bytes = 0;
  let first = 0;
  return {
    add(length) {
      if (bytes === 0) first = now();
      bytes += length;
    },
    report() {
      const elapsed = now() - first;
      emit({
        scenario: "sink",
        bytes,
        secs: round(elapsed / 1000, 3),
        mbps: megabytesPerSecond(bytes, elapsed),
      });
    },
  };
}
