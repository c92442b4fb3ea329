// BENCHMARKS.md and its chart from one run's results. Pure functions of the results: no I/O.

const RUNTIMES = ["node", "bun", "deno"];

/** What omnisock ÷ raw should reach in each scenario (S6 memory and S7 CPU: at most). */
export const TARGETS = {
  S1: { at: 0.97 },
  S2: { at: 0.97 },
  S2u: { at: 0.97 },
  S3: { at: 0.97 },
  S4: { at: 0.97 },
  S5: { at: 2 },
  S6: { at: 1.1, atMost: true },
  // Connections accepted per second (issue 10: ≥ 0.9× raw on Node): S6a sends each server the
  // raw client; S6's own row is both ends the API's, so the client's connect counts too.
  S6a: { at: 0.9 },
  "S6 accept": { at: 0.9 },
  // CPU time per round trip with 10,000 connections (issue 10): at the raw API's cost.
  S7: { at: 1.1, atMost: true },
  T1: { at: 0.95 },
  T2: { at: 0.95 },
  // The driver scenarios: omnisock/net ÷ the runtime's node:net (≥ 1 on Node, above 1 on Bun
  // and Deno, issue 9).
  D1: { at: 1 },
  D2: { at: 1 },
  D3: { at: 1 },
};

/** What a scenario's omnisock figure is divided by: the raw API, or (drivers) node:net. */
const baselineOf = (scenario) => scenario.baseline ?? "raw";

/** How a row names its API: the TLS scenarios run node:tls, Deno.listenTls and the like. */
const labelOf = (entry, scenario) =>
  scenario.transport === "tls" ? (entry.tlsLabel ?? entry.label) : entry.label;

export function median(values) {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function range(values) {
  const finite = values.filter((value) => Number.isFinite(value));
  return finite.length ? [Math.min(...finite), Math.max(...finite)] : undefined;
}

/** `a ÷ b` inside each repetition where both ran, then the median and the range of those. */
export function ratios(results, scenario, runtime, numerator, denominator, key = "value") {
  const perRep = [];
  for (const record of results) {
    if (record.scenario !== scenario || record.runtime !== runtime || record.api !== numerator)
      continue;
    const base = results.find(
      (other) =>
        other.rep === record.rep &&
        other.scenario === scenario &&
        other.runtime === runtime &&
        other.api === denominator,
    );
    if (record[key] !== undefined && base?.[key]) perRep.push(record[key] / base[key]);
  }
  return { median: median(perRep), range: range(perRep), count: perRep.length };
}

function values(results, scenario, runtime, api, key = "value") {
  return results
    .filter(
      (record) => record.scenario === scenario && record.runtime === runtime && record.api === api,
    )
    .sort((a, b) => a.rep - b.rep)
    .map((record) => record[key]);
}

const number = (value, digits = 0) =>
  value === undefined
    ? "—"
    : value.toLocaleString("en-US", {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      });
/** SYNs dropped at a full accept queue, summed over the repetitions ("—" where not counted). */
function dropped(counts) {
  const counted = counts.filter((count) => count !== undefined);
  return counted.length === 0 ? "—" : number(counted.reduce((sum, count) => sum + count, 0));
}
const metricDigits = (unit) => (unit === "KiB/conn" || unit === "µs CPU/rt" ? 1 : 0);
const ratioText = (ratio) =>
  ratio.median === undefined
    ? "—"
    : `${ratio.median.toFixed(2)}× (${ratio.range[0].toFixed(2)}–${ratio.range[1].toFixed(2)})`;

function met(scenario, ratio) {
  const target = TARGETS[scenario];
  if (!target || ratio.median === undefined) return "";
  const ok = target.atMost ? ratio.median <= target.at : ratio.median >= target.at;
  return ok ? " ✅" : " ❌";
}

/** Which run each scenario's figures come from, when the report joins several. */
function joinedRuns(sources, all) {
  return [
    `The figures join ${sources.length} runs; each scenario's come whole from one of them:`,
    "",
    ...sources.map(
      ({ info, reps, command, file, scenarios: ids }) =>
        `- ${ids.join(", ")}: \`${command}\` on ${info.date.slice(0, 16).replace("T", " ")} UTC, ` +
        `${repetitions(reps)}${capped(
          all.filter((scenario) => ids.includes(scenario.id)),
          reps,
        )}` +
        `${info.commit ? `, commit ${info.commit}` : ""}${saved(file)}`,
    ),
    "",
  ];
}

/** Where a run's results are kept, linked: in bench/results/ they are in git beside the report. */
function saved(file) {
  return file ? `, saved in [\`${file}\`](${file})` : "";
}

function repetitions(count) {
  return `${count} repetition${count === 1 ? "" : "s"}`;
}

/** Scenarios repeated fewer times than the run, as " (S7: 3)". */
function capped(scenarios, reps) {
  const fewer = scenarios.filter((scenario) => scenario.maxReps < reps);
  return fewer.length ? ` (${fewer.map((s) => `${s.id}: ${s.maxReps}`).join(", ")})` : "";
}

export function renderReport({
  results,
  negotiated = [],
  scenarios,
  apis,
  reps,
  info,
  command,
  file,
  sources,
}) {
  const runtimes = RUNTIMES.filter((runtime) =>
    results.some((record) => record.runtime === runtime),
  );
  const present = scenarios.filter((scenario) =>
    results.some((record) => record.scenario === scenario.id),
  );
  const lines = [];
  lines.push(
    "# Benchmarks",
    "",
    (sources
      ? "Generated from the saved runs named below; in each repetition of a run, every scenario ran"
      : `Generated by \`${command}\` on ${(info.date ?? new Date().toISOString()).slice(0, 16).replace("T", " ")} UTC: ` +
        `${repetitions(reps)}${capped(scenarios, reps)}${saved(file)}; in each, every scenario ran`) +
      " with the runtime's raw socket API and with omnisock, " +
      "in an order that rotates every repetition. Figures are medians over the repetitions; a ratio is " +
      "taken inside each repetition (same run) and then its median is given, with the min–max of the " +
      "per-repetition ratios in brackets. The programs are in [`bench/`](bench/); " +
      "`npm run bench -- --quick` runs them all briefly.",
    "",
    ...(sources ? joinedRuns(sources, scenarios) : []),
    "## omnisock ÷ raw",
    "",
    "Higher is better, except S6 (memory per connection) and S7 (CPU time per round trip), where lower is. ✅ meets the target, ❌ does not. " +
      "T1 and T2 are S1 and S2 over TLS: each runtime's own TLS against omnisock's `tls` option.",
    "",
    `| scenario | target | ${runtimes.join(" | ")} |`,
    `|---|---|${runtimes.map(() => "--:|").join("")}`,
  );
  for (const scenario of present) {
    const target = TARGETS[scenario.id];
    const cells = runtimes.map((runtime) => {
      const ratio = ratios(results, scenario.id, runtime, "omnisock", baselineOf(scenario));
      return `${ratioText(ratio)}${met(scenario.id, ratio)}`;
    });
    lines.push(
      `| ${scenario.id} ${scenario.title} | ${target ? `${target.atMost ? "≤" : "≥"} ${target.at}` : ""} | ${cells.join(" | ")} |`,
    );
    if (scenario.id === "S6") {
      const accept = runtimes.map((runtime) => {
        const ratio = ratios(
          results,
          scenario.id,
          runtime,
          "omnisock",
          baselineOf(scenario),
          "acceptPerSec",
        );
        return `${ratioText(ratio)}${met("S6 accept", ratio)}`;
      });
      lines.push(
        `| S6 accept rate: connections accepted per second, both ends the API's | ≥ ${TARGETS["S6 accept"].at} | ${accept.join(" | ")} |`,
      );
    }
  }
  if (present.some((scenario) => scenario.baseline)) {
    lines.push(
      "",
      "D1–D3 run real drivers (ioredis, postgres.js) through their socket hooks: their baseline is " +
        "the runtime's own node:net, which is what a driver otherwise sits on, so those rows are " +
        "omnisock/net ÷ node:net.",
    );
  }
  lines.push("", "![omnisock ÷ raw per scenario and runtime](bench/ratios.svg)", "");

  const compat = runtimes.filter((runtime) => runtime !== "node");
  // The driver scenarios are omnisock/net ÷ node:net already, in the table above; S6a has no
  // node:net row.
  const overRaw = present.filter(
    (each) => !each.baseline && (each.apis ?? apis).some((entry) => entry.api === "node:net"),
  );
  if (compat.length > 0 && overRaw.length > 0) {
    lines.push(
      "## omnisock ÷ node:net on Bun and Deno",
      "",
      "What a user gains over the compatibility layer they would otherwise reach for (node:tls in T1 and T2).",
      "",
      `| scenario | ${compat.join(" | ")} |`,
      `|---|${compat.map(() => "--:|").join("")}`,
    );
    for (const scenario of overRaw) {
      const cells = compat.map((runtime) =>
        ratioText(ratios(results, scenario.id, runtime, "omnisock", "node:net")),
      );
      lines.push(`| ${scenario.id} ${scenario.title} | ${cells.join(" | ")} |`);
    }
    lines.push("");
  }

  if (negotiated.length > 0) lines.push(...negotiatedTable(negotiated, apis, runtimes));

  lines.push("## Scenarios", "");
  for (const scenario of present) {
    const latency = scenario.latency;
    const memory = scenario.id === "S6";
    const scale = scenario.id === "S7";
    // Runs that open thousands of connections count the SYNs the kernel dropped meanwhile.
    const drops = scenario.timeWait;
    const baseline = baselineOf(scenario);
    lines.push(
      `### ${scenario.id} ${scenario.title} — ${scenario.unit}, placement: ${scenario.placement}`,
      "",
      `| runtime · API | ${scenario.unit} (median) | min–max | spread |${latency ? " p50 µs | p99 µs |" : ""}${memory ? ` server KiB/conn | client KiB/conn | heap KiB/conn | KiB per added conn | added ÷ ${baseline} | connections/s | accepted/s | accepted ÷ ${baseline} |` : ""}${scale ? " server µs CPU/rt | client µs CPU/rt |" : ""}${drops ? " SYNs dropped |" : ""} ÷ ${baseline} |`,
      `|---|--:|--:|--:|${latency ? "--:|--:|" : ""}${memory ? "--:|--:|--:|--:|--:|--:|--:|--:|" : ""}${scale ? "--:|--:|" : ""}${drops ? "--:|" : ""}--:|`,
    );
    for (const runtime of runtimes) {
      for (const entry of (scenario.apis ?? apis).filter(
        (candidate) => candidate.runtime === runtime,
      )) {
        const all = values(results, scenario.id, runtime, entry.api);
        if (all.length === 0) continue;
        const middle = median(all);
        const [low, high] = range(all) ?? [];
        const spread = middle ? `${Math.round(((high - low) / middle) * 100)} %` : "—";
        const digits = metricDigits(scenario.unit);
        const ratioOf = (key) =>
          entry.api === baseline
            ? "1.00×"
            : ratioText(ratios(results, scenario.id, runtime, entry.api, baseline, key));
        const latencyCells = latency
          ? ` ${number(median(values(results, scenario.id, runtime, entry.api, "p50")), 1)} | ${number(median(values(results, scenario.id, runtime, entry.api, "p99")), 1)} |`
          : "";
        const cell = (key, digits = 0) =>
          ` ${number(median(values(results, scenario.id, runtime, entry.api, key)), digits)} |`;
        const memoryCells = memory
          ? `${cell("serverKiB", 1)}${cell("clientKiB", 1)}${cell("heapKiB", 1)}${cell("moreKiB", 1)} ${ratioOf("moreKiB")} |${cell("connPerSec")}${cell("acceptPerSec")} ${ratioOf("acceptPerSec")} |`
          : "";
        const dropCells = drops
          ? ` ${dropped(values(results, scenario.id, runtime, entry.api, "listenDrops"))} |`
          : "";
        const scaleCells = scale ? `${cell("serverCpu", 1)}${cell("clientCpu", 1)}` : "";
        lines.push(
          `| ${runtime} · ${labelOf(entry, scenario)} | ${number(middle, digits)} | ${number(low, digits)}–${number(high, digits)} | ${spread} |${latencyCells}${memoryCells}${scaleCells}${dropCells} ${ratioOf("value")} |`,
        );
      }
    }
    lines.push("");
  }

  lines.push(
    "## Machine",
    "",
    "| | |",
    "|---|---|",
    ...Object.entries(info).map(([key, value]) => `| ${key} | ${value} |`),
    "",
    "## Method",
    "",
    "- Server and client are separate processes of the same runtime and API that share only the wire " +
      "(127.0.0.1). Placement: **same** pins both to CPU 0 (one round trip is client + server + kernel " +
      "work, the runtime's real cost), **split** pins the server to CPU 0 and the client to CPU 1, " +
      "**free** pins nothing. On this 2-vCPU guest a wake-up across CPUs costs ~20 µs, which hides a " +
      "runtime's own cost in a one-in-flight ping-pong (a C program on plain syscalls shows the same).",
    "- The raw programs are idiomatic code for each API: node:net honours `write()` → false and " +
      "`'drain'`; Bun's writer keeps what `write()` did not take and writes it on `drain`; Deno's " +
      "writes go on until the whole chunk is taken, and its reads reuse one buffer. omnisock's programs " +
      "use the public API only: they read with `socket.read(handler)` / `datagramSocket.read(handler)`, " +
      "and again with `for await` in the rows marked so; they write with `write`/`flush` and `send`. " +
      "A handler that only counts bytes and keeps no chunk (the S1 and T1 sinks, S6, S7's client, " +
      "the ping-pong clients) says so with `read(handler, { borrow: true })`, which lets Deno's " +
      "driver read on into the same buffer, as the raw program does; the echo servers keep theirs.",
    "- S2 and S4 time 100,000 round trips after 20,000 warm-up ones, so that every runtime's JIT " +
      "has compiled both the raw and the omnisock code before the clock starts. Until 2026-12-04 " +
      "they timed 20,000 (0.4 s), over which one cell's ratio spread 0.7–1.2 by repetition.",
    "- S1 and S5 count bytes at the receiving end from the first byte to EOF. S5 writes one million " +
      "16-byte messages, one `write()` call each (raw: one runtime write per message; omnisock gathers " +
      "a tick's writes into one system call). S6 opens 10,000 connections 128 at a time and reads both " +
      "processes' resident memory and JS heap after a full garbage collection, before and after; " +
      "connections/s is the client's rate of opening them, accepted/s the server's rate of accepting " +
      "them. Both ends there are the API's, so on a 2-CPU machine the client's cost per connect " +
      "slows the server's count as well: S6a runs the same servers with the same client, the " +
      "runtime's raw program, and gives the server's accepted/s alone. Each S6, S6a and S7 run starts once fewer than 1,000 connections " +
      "linger in TIME_WAIT (they slow connects down), and the servers close with RST where the API can. " +
      "The servers listen with a backlog of 4,096 (`BACKLOG` in `lib.mjs`, the kernel's cap here) where " +
      "their API can set one; Bun.listen asks for 512. A connect is over once the kernel has shaken " +
      "hands, before the server accepts, so a client can run ahead of its server, and at a full accept " +
      'queue the kernel drops the SYN, which costs that connect a 1 s retransmit: "SYNs dropped" ' +
      "counts them (TcpExt ListenDrops over the run), and a run with drops measured the wait, not the " +
      "programs. Until 2026-12-04 the servers kept their defaults (511 on Node), and S6's rates on " +
      "Node swung 3,800–20,000/s with those waits. S6's and S6a's programs start with a " +
      "descriptor table that holds their connections (`stdio()` in `run.mjs`), as a server has " +
      "once it has held that many: the kernel doubles a process's table as it fills, and in a " +
      "process with threads each doubling stalls it 6–20 ms here, at moments that depend on " +
      "both programs' pace. Until 2026-12-05 they grew it as the connections came.",
    "- S7 opens 10,000 connections to an echo server; each then sends one 32-byte message a second, " +
      "the connections spread evenly over the second, for 2 s of warm-up and 30 s timed. Its value is " +
      "the CPU time both processes spent in the timed window (user + system, from /proc, in 10 ms " +
      "ticks) divided by the round trips timed in it; p50 and p99 are those round trips' latencies.",
    "- T1 and T2 run S1 and S2 over TLS with each API's own TLS: node:tls (`tls.connect`, " +
      "`tls.createServer`), Bun's `tls` option of `Bun.connect`/`Bun.listen`, `Deno.connectTls`/" +
      "`Deno.listenTls`, and omnisock's `connect(target, { tls: { ca, servername } })` / " +
      "`listen({ tls: { cert, key } })`. Each run makes a throwaway CA and a server certificate " +
      "for `localhost` (EC P-256); every client verifies the server against that CA under the " +
      "name `localhost`, as users run. The handshake is over before any clock starts. Before the " +
      "repetitions, one short run of each API goes through a relay that reads the ServerHello on " +
      "the wire: the protocol and cipher each client and server agreed on (the table above). " +
      "Every client and server sets TCP_NODELAY, as in S1 and S2, except Deno's over TLS: " +
      "`Deno.connectTls` and `Deno.listenTls` leave Nagle's algorithm on and cannot change it, so " +
      "there omnisock's client runs with `noDelay: false` (its default is true) and its server " +
      "with Nagle's algorithm on as well (`capabilities.tlsServerNoDelay` is false on Deno).",
    "- D1–D3 run ioredis and postgres.js (one connection) through their socket hooks " +
      "(`packages/drivers/bench/drivers.js`) on omnisock/net and on the runtime's own node:net, " +
      "against one redis-server and one PostgreSQL started for the whole run, nothing pinned (a " +
      "PostgreSQL backend pinned to a CPU that other work shares waits for it). Each repetition " +
      "is one process per runtime that alternates the two sides round by round (10 rounds each " +
      "after a warm-up one, every answer checked), so that other load on the machine falls on " +
      "both alike; its value is each side's median round.",
    "- Nothing here is asserted by the tests. CI's `npm run bench -- --quick` fails only when " +
      "omnisock falls below 0.8× its baseline in a cell, the best of up to five runs (bench/README.md).",
    "",
    "## Reading the results",
    "",
    "- **This run.** The figures join two runs. S6 and S6a come from a run of their own " +
      "(2026-12-05 03:07 UTC, commit 3c9f728), the first in which S6's programs start with their " +
      "descriptor tables grown (Method) and omnisock's Bun server makes 10 system calls per " +
      "accepted connection where it made 15 (S6's connection rates, below). Against the full run " +
      "of 2026-12-04 23:48 UTC, node · bun · deno: memory per idle connection 1.28 · 1.52 · 0.16 " +
      "→ 1.32 · 1.49 · 0.15×; accepted/s with both ends the API's 0.74 · 0.72 · 1.29 → 0.71 · " +
      "0.74 · 3.25× (Deno's raw server dropped 117 SYNs in one repetition); S6a 0.97 · 0.12 · " +
      "1.73 → 0.97 · 1.10 · 2.59×, no server dropping a SYN (omnisock's Bun server dropped 256 " +
      "and 218 in two of that run's three). The other figures come from that full run (commit " +
      "e8457be), the first since the ping-pongs time 100,000 round trips and Deno's read loop " +
      "reuses the view of a read of the same length (S2 on Deno, below). Against the table before " +
      "it, joined from three runs of 2026-12-04 (18:54, 20:03 and 22:21 UTC), node · bun · deno: " +
      "S2 on Deno 0.90 → 0.97× and S3 on Deno 0.95 → 0.98×; the other S1–S4 cells within 0.03, " +
      "but for S1 on Node (1.08 → 0.99×) and S2u on Deno (1.01 → 0.96×); T1 on Deno 0.99 → " +
      "0.93×, T2 0.92 · 0.97 · 0.90 → 0.91 · 0.91 · 0.95×; S7 1.26 · 1.04 · 1.17 → 1.17 · 1.07 · " +
      "1.21×.",
    "- omnisock's rows read with `socket.read(handler)` / `datagramSocket.read(handler)`: a " +
      "callback per chunk, as node:net's `'data'` and Bun's handlers deliver them, with no promise " +
      "per chunk. The rows marked `for await` read the same bytes through the async iterator; " +
      "where they trail (S2, S3, S4 on Node and Bun), the difference is the promise handed over per " +
      "chunk. The rest of the gap is omnisock's own bookkeeping (counters, state, backpressure, the " +
      "copy that lets the caller reuse its buffer): in a CPU profile of Node's S2 server, omnisock's " +
      "own functions take about 4 % of the samples (below).",
    "- The one-in-flight ping-pongs (S2, S4) are the noisiest figures here: on this shared 2-vCPU " +
      "guest the raw programs alone spread 40–65 % between repetitions, and the per-repetition " +
      "ratios of one cell span 0.7–1.1. Read their medians as ±5 %.",
    "- S4 on Node: omnisock's `send()` resolves once the datagram is sent (or rejects with why it " +
      "was not), and node:dgram tells that only through a send callback, on the next tick; the raw " +
      "program fires and forgets (node:dgram then drops a failed send's error without a word). The " +
      "same raw program with a callback per send, turned into a promise, runs at omnisock's speed: " +
      "33,011 and 33,499 round trips/s against omnisock's 31,794 and 33,654 and fire-and-forget's " +
      "38,093 and 36,975 (two alternated runs of 100,000 round trips on one CPU); each side spends " +
      "more user CPU per datagram than fire-and-forget: 1.2 µs with the callback, 1.4–2.1 µs with " +
      "omnisock (`/usr/bin/time`).",
    "- Where a round trip includes a wake-up on the other CPU (S2u), that cost dwarfs the " +
      "handoff and the ratio is close to 1. Bulk transfer (S1) is at parity on every runtime, " +
      "on Deno since its sink borrows (below).",
    "- **S1 on Deno**: the receiver sets the pace. Raw's sink reads into one reused 64 KiB " +
      "buffer, which stays in the cache; a chunk omnisock hands over is the reader's own (DESIGN.md: " +
      "nothing else writes to a chunk once handed over), so each read needed fresh memory, and " +
      "omnisock's server sat where any reader that keeps its chunks sits (raw's sink made to " +
      "`slice()` each read: 2,655 MB/s against 2,853 reusing its buffer, omnisock 2,664; 5 " +
      "alternated runs, 2026-12-03). A handler that keeps nothing can now say so, " +
      "`read(handler, { borrow: true })`, and while it waits with nothing queued Deno's driver " +
      "lends it the read in place and reads on into the same buffer. Raw client to each server " +
      "(by hand, 3 s, server on CPU 0 and client on CPU 1, medians of 4 alternated runs, " +
      "2026-12-04): raw's server 3,388 MB/s, omnisock's 2,325 before and 4,005 with `borrow`.",
    "- S5 is where omnisock gains: the writes of one tick leave in one system call, where the " +
      "raw APIs make one per `write()`.",
    "- S6 counts both ends' resident memory after a forced GC on both sides (`memory()` in " +
      "`lib.mjs`). Deno's raw program reads with a 64 KiB buffer per connection; omnisock's Deno " +
      "driver starts at 1 KiB and grows to 64 KiB once a read fills it. On Node and Bun the runtime's " +
      "own connection object is small, and three things come on top of it (heap snapshots at " +
      "4,000–10,000 connections, 2026-12-03): (1) omnisock's live objects per connection — on Node's " +
      "server 2,292 B against node:net's 1,472 B (the Socket 160 B, the driver handle 96 B, the " +
      "`read(handler)` reader with its promise and the one resolving function it keeps ~200 B, the " +
      "event receiver between driver and socket 32 B, the server's entry in its set of connections " +
      "~50 B), on its client 2,164 B against ~1,560 B; on Bun's server 800 B of heap against the raw " +
      "program's 166 B (the same native socket object under both; measured before the reader kept one " +
      "resolving function fewer, 56 B), on its client the Socket, two " +
      "address objects, the handle and the receiver on top of raw's; (2) V8's young generation, which grows during the " +
      "connection burst with what survives it and still counts in RSS after the GC: 2.5 KiB per " +
      "connection for omnisock against 1.1–2.1 KiB for node:net (with a fixed young generation, " +
      "`--max-semi-space-size=1` on both sides, Node's ratio is 1.13×); (3) compiled code, a fixed " +
      "cost the connections share: on Bun the first 1,000 connections add 16 MB to omnisock's client " +
      "against 9 MB raw, and 5 MB against 3 MB with the JIT off (`BUN_JSC_useJIT=0`). Each of the " +
      "objects in (1) is what the API is made of (the socket, its handle, its reader, its addresses " +
      "readable after close); the last two are the engines' sizing, not per-connection state. " +
      "Since those snapshots (commit 18f655b) the Socket is 120 B, the event receiver is gone (the " +
      "Socket is its driver's sink) and the reader is 72 B: an idle Node client keeps 1,331 B " +
      "(1,598 before; node:net 987), a server's connection 1,570 B (1,758; node:net 1,140), from " +
      "`heapUsed` after `gc()` at 1,000 and 3,000 connections.",
    "- S6 also measures both ends after the first half of the connections, so that the second half's cost per connection (\"KiB per added conn\") leaves out what the first ones bring once. First measured on 2026-12-03 at 16:33 UTC (`npm run bench -- --only S6 --reps 3 --no-write`, commit d650b95, before this column was in the report): on Bun omnisock's added connection costs 2.61–2.83 KiB against raw's 2.67–2.82, so Bun's whole-run 1.53× is what the first connections bring once; with the optimizing JIT off (`BUN_JSC_useDFGJIT=0`) omnisock's RSS falls by ~0.9 KiB per connection on each side, while the optimized code itself is 54–159 KB, so it is most likely memory the compiler used and kept (not confirmed). On Node the added connection costs 8.8–8.9 KiB against 5.1–5.3: V8 grows its young generation (4 → 32 MB here) as bytes survive each connection, and the pages it grew into count in RSS; a raw client made to keep 152 B more per connection rose from 3.7–4.4 to 4.2–5.2 KiB, 304 B more to 5.4, 600 B to 5.9–6.0, and omnisock's client keeps ~500 B more than node:net's (Socket 176 B, handle 96 B, peer address 56 B, event receiver 32 B, a listener array); with a fixed young generation (`--max-semi-space-size=2`) omnisock's client is at 3.26 KiB against 3.18. Cutting garbage instead does not move it: 1.5 KB less allocated per connect left S6 Node at 10.37 against 10.40 KiB (3 alternated pairs).",
    "- **S6's connection rates** (2026-12-04 and 05). A connect is over once the kernel has shaken hands, so a client can run ahead of its server, and at a full accept queue the kernel drops the SYN and that connect waits 1 s for its retransmit (Method). With the servers' old backlog of 511, `--only S6 --runtimes node --reps 2` opened 3,741–6,878 connections/s with either program, and the kernel had counted 693 dropped SYNs (TcpExt ListenOverflows); with 4,096, none were dropped and raw opened 20,965 and 21,871/s, omnisock 14,677 and 15,392. In S6 both ends are the API's, and on two CPUs the client's cost per connect slows the server's count too: S6a sends every server the same client, the runtime's raw program. There omnisock's server accepts at 0.97× node:net's rate (1.03×, 0.85×, 0.97× by repetition) and at 1.10× Bun's (1.21×, 1.10×, 1.04×), and no server of S6a dropped a SYN in this table's run. **The descriptor table.** Until 2026-12-05 S6's programs grew their descriptor tables as the connections came, and each doubling stalled them: by hand, both of S6a's Bun servers paused 9–32 ms at their 1,016th, 2,040th, 4,088th and 8,184th accept, and the raw client at its 890th, 1,914th and 3,962nd connect (its 128 connects in flight hold descriptors too). A program that opens /dev/null 10,100 times (`fs.openSync` in a loop, 2026-12-05) stalls 6–20 ms as it passes 1,024, 2,048, 4,096 and 8,192 descriptors on all three runtimes, and at 256 and 512 on Node and Deno: the kernel growing the table of a process with threads, which waits for an RCU grace period. A server that keeps pace holds as many descriptors as the client and stalls with it, so nothing piles up; one that trails stalls while the client runs on. On Bun, whose queue is fixed at 512 (`capabilities.backlog`), that overflowed it: omnisock's server dropped SYNs in 17 of 29 bursts by hand (2026-12-05, 01:08–01:52 UTC) and in 2 of the 3 repetitions of the full run of 2026-12-04 23:48 UTC (S6a 0.12×), raw's in none. The stalls are the kernel's, the same for every API, and where they fall depends on both programs' pace; a server that has once held 10,000 connections keeps its table. So S6's programs now start with a table that holds their connections (Method). A table grown by the program itself, 10,256 opens of /dev/null before its first measurement, was tried first and dropped: the opens left 4.5–10.3 MB more resident (Node 5.0, Bun 4.5, Deno 10.3 MB), which the memory per connection then left out (S6 on Bun, raw 3.3 → 2.6 KiB, in a run of its own at 02:46 UTC). **What is left on Bun.** By hand, started the way the bench now starts them (2026-12-05, 03:23–03:26 and 03:47–03:53 UTC, 32 alternated rounds), omnisock's server still dropped SYNs in 7 of 32 bursts (34–128 each) and raw's in none. Nothing stalls it before its drops: in bursts with the gaps between accepts logged (02:31–02:40 UTC, the table grown in the program), none over 3.1 ms came before them, at its 708th–1,798th accept. Over its first thousand connections omnisock's server is slower than the raw client: in 8 alternated rounds (02:34–02:37 UTC, the table grown in the program), raw's server reached its 1,000th accept 1.8–4.7 ms before the client's 1,000th connect in all 8; omnisock's came after it in the 4 of its 5 dropping rounds that logged both (1.5–4.6 ms) and before it (4.2 ms) in the one of its 3 others that did. In those first connections JavaScriptCore compiles omnisock's accept path: up to the server's last accept of a burst, 52 ms of compilation (`BUN_JSC_reportCompileTimes=1`: Baseline 4 ms, DFG 17, FTL 31, 118 compilations) against raw's 6.6 ms (15), on its compiler threads, which take that CPU from two busy processes on two CPUs. Over a whole run (`perf record -F 4999 -g` of each server, start and the closing of the 10,000 included) the compiler threads ran 85 ms for omnisock's server against 13 ms, its main thread 90 ms more (~9 µs per connection). Compiling sooner does not help: with JavaScriptCore's tier-up thresholds lowered (`thresholdForJITAfterWarmUp=50`, `thresholdForOptimizeAfterWarmUp=100`) it dropped in 3 of 6 bursts, as without. Nor does it come down to system calls: since 2026-12-05 omnisock's Bun server pauses an accepted connection only when core holds it (a paused server), and reads its peer's port once, so it makes 10 system calls per accepted connection where it made 15 (`strace -f -c`, 2,000 connections: 2 `epoll_ctl`, 3 `setsockopt`, 2 `getpeername`; raw's makes 7.5), and its CPU over a run fell about 4 % (`perf stat -e task-clock`, medians of 5 alternated runs, 342 → 331 ms), and it drops SYNs in fewer bursts: started as the bench now starts them, 5 of 24 against 12 of 24 for the code before the change (commit 9eb4291), in the same alternated rounds (03:47–03:53 UTC; raw's server in none of them). That is not yet a clear difference (with the tables grown in the program, 4 of 8 against 5 of 8). So on this machine the cell measures whether omnisock's server, while its code is compiled, keeps pace with a raw client that shares its two CPUs; with clients elsewhere, the server has its machine's CPUs to itself. What would close it is a shorter accept path; anywhere, a larger queue, which Bun does not offer. Deno's raw server gives each connection its 64 KiB read buffer as it accepts it (its memory per connection above), and accepts at a third to a half of omnisock's rate. What is left of S6's own accept row on Node (0.71× in this table, 0.74× in the full run of 2026-12-04 23:48 UTC and 0.81× and 0.72× in the two before) is the client's connect, and most of that is a fresh process warming up. One process opening 5,000 connections 128 at a time to node:net's server, six rounds with a forced GC between them, one program per process, raw and omnisock alternated (5 pairs, 18:50–20:05 UTC; `process.cpuUsage()`), spends per connection (medians over the pairs, raw → omnisock): first round 61 → 88 µs, second 55 → 70, rounds 3–6 7.5–15.5 µs more (median 10). S6's client is a fresh process's first 10,000 connections, in the first two rounds' regime: ~21 µs more on ~58 is 0.73× raw's rate, the ratio S6 reads. The system calls are node:net's and one `getsockname` (strace, 2,000 connections: the local address is read at connect, so that it stays readable after close), and under `--cpu-prof` omnisock's own frames come to ~6.6 µs per warm connect: checking the options and the target (`normalizeConnect`, 1.4 µs), the driver's promise, listeners and settling (2.5), the local address (1.7, mostly the system call), the Socket (1.3); the rest is V8 compiling and running that larger path before it is optimized, and more garbage. Corrected: the figures given here before (17.5–24.1 µs per connection for node:net against 34.9–45.1 for omnisock) came from one process that ran the clients in turn, and mixing programs in one process moves the figures by itself: in such a process node:net given options built by a spread, as the driver builds them, cost 45.0 µs per connect against 31.7 given a literal (medians of 7 rounds), yet in processes of their own omnisock was no cheaper with a literal than with the driver's spread (3 alternated pairs, rounds 3–6: 58–87 µs with it, 52–65 without). Tried and dropped, each without a measurable change: that literal, and a one-entry cache of the last hostname's IP family (asked three times per connect).",
    "- **S2 on Deno** (2026-12-04, 21:10–22:50 UTC). The programs run by hand as the runner places them (both on CPU 0, 150,000 timed round trips of 32 B), the pairings alternated 10 times, ratios to raw's pair by round (medians): omnisock's client against Deno's raw server 0.946×, omnisock's server against raw's client 0.978×, both omnisock's 0.923×. The CPU is never idle (0 % in /proc/stat), so the gap is CPU time: under `perf record -F 2999 -g` on both processes (`--v8-flags=--perf-basic-prof`, 3 s) 17.0 µs per round trip raw against 18.2 omnisock, in the `deno` binary (5.38 → 5.84 µs), JIT code (0.56 → 0.82), libc (0.56 → 0.73, the copies' `memmove`) and the kernel (10.43 → 10.70), 0.85 µs of it in samples under a frame of omnisock's (the read loop, `#writeAll`, `#receive`, `#send`); the system calls are raw's (strace, 2026-12-03: one `sendto`, one `epoll_wait`, one `recvfrom` per side). Which part of the client costs was found with the raw client changed one thing at a time (10 alternated rounds, ratio to the unchanged raw client): the write not awaited before the next read 1.016×, a function called per read 0.973×, a `subarray()` view made per read and kept 0.933×, omnisock's whole shape written by hand (a callback per read with its view, the message copied into a slab, the write not awaited) 0.935–0.958×, omnisock's client 0.959× in the same run. So an object per read cost more than all the rest, far more than the ~30 ns a view takes in a hot loop (why, not found: the view is garbage at once). Since then Deno's read loop hands a read of the same length into the same buffer through the view it made for the read before: the borrowing handler's chunk, and the source a keeping reader's copy is made from. By hand, 150,000 round trips, 10 alternated rounds each: omnisock's client against raw's server 0.979 → 1.022×, both omnisock's 0.899 → 0.954×. Over the 20,000 round trips S2 then timed the same change read 0.913 → 0.921× (12 rounds, per-round ratios 0.71–1.18), and `--only S2,T2 --runtimes deno --reps 5 --no-write`, alternated 3 times, S2 0.883–0.906 → 0.902–0.906×, T2 0.862–0.897 → 0.893–0.925×: too short a window to tell, which is why S2 and S4 now time 100,000 (Method); over them S2 on Deno read 0.90× (0.85–0.91) in a run of its own (22:21 UTC), and reads 0.97× (0.92–0.98) in this table's full run. What a keeping reader (the echo server) still costs is the view of the shared block its chunk is (DESIGN.md: a chunk handed over is the reader's) and the copy into the write slab (Deno's write holds what it is given).",
    "- **S3 on Deno** (2026-12-04, 16:00–16:45 UTC): with the driver and core of the full run of 10:15 UTC, " +
      "re-measured at 0.94× (raw 195,227 rt/s, omnisock 182,751, medians of 5; per repetition " +
      "0.90–0.96). The server is the side that costs: by hand, pinned as the runner pins them " +
      "(server CPU 0, client CPU 1, 5 s, the four pairings alternated, 3 rounds), raw's server " +
      "answers 190,103 rt/s to raw's client and 190,104 to omnisock's, omnisock's server 178,984 " +
      "and 175,423; the server's CPU is saturated, and costs 4.99–5.13 µs per round trip raw " +
      "against 5.39–5.69 omnisock (user + system from /proc over the timed window). On the " +
      "server, the same system calls per round trip (strace: one `sendto` and one `recvfrom` each, " +
      "an `epoll_wait` per ~100) and the same garbage (`--trace-gc`: 194 scavenges over 810,920 " +
      "round trips raw, 186 over 770,773 omnisock, ~1.9 KB per round trip, most of it Deno's own " +
      "ops). In `perf` (two alternated pairs, per round trip, raw → omnisock) the kernel is level " +
      "(3.6 → 3.6 µs both times); the extra is in the `deno` binary (1.57 → 1.84, 1.44 → 2.04), " +
      "JIT code (0.17 → 0.36, 0.14 → 0.37) and libc (0.26 → 0.32, 0.25 → 0.35, of which " +
      "`memmove` 0.05–0.07). omnisock's own frames: `#readLoop` 0.18–0.20 µs (raw's read loop " +
      "0.07–0.09), `#writeAll` 0.04, `write` 0.04, `#receive` 0.03, `#send` 0.02–0.03. About 0.2 " +
      "µs of it was the copy a handler that keeps its chunks is owed: the same server reading with " +
      "`{ borrow: true }` (for this measurement only: the echo passes its chunk to `write()`, which a " +
      "borrowing handler must not) answered 183,422 rt/s against 176,535, at 5.26 against 5.47 µs " +
      "(4 alternated rounds; raw 187,924 and 5.12). That copy went into a 16 KiB block per " +
      "connection, whose next bytes had left the cache since the connection last read (a byte " +
      "loop instead of `set()` gained nothing: 175,844 → 178,279 rt/s, 5.50 → 5.55 µs). Since " +
      "then every connection's short reads are copied into one shared block at a time: the server's CPU per round trip 5.75 → " +
      "5.47 µs, 168,059 → 174,428 rt/s (3 alternated rounds, raw 180,598; an earlier 4 gave the " +
      "same, 5.6–6.2 → 5.1–5.8 µs round by round), and `--only S3 --runtimes deno --reps 5` 0.97× " +
      "(raw 172,913, omnisock 168,347; per repetition 0.91–0.99); in an S7-like run (4,000 " +
      "connections, 12 s, raw client) the server's CPU per round trip fell too, 23.1 and 22.1 → " +
      "19.8 and 18.1 µs. What is left is the copy itself, the copy into the write slab (Deno's " +
      "write holds what it is given) and the handoff, in the stripped binary and the frames above. " +
      "Commands: `taskset -c 0 deno run -A --unstable-net tcp-deno.mjs|tcp-omnisock.mjs server " +
      "--mode echo --once` against `taskset -c 1 … conc --conns 100 --size 32 --secs 5 " +
      "--warmup-secs 1 --port P`; `strace -c -f` on the server over `--secs 2 --warmup-secs 0`; " +
      "the server with `--v8-flags=--perf-basic-prof` under `perf record -F 2999 -g -p PID -- sleep " +
      "3.5` from 1.3 s into the client's run, `perf report --sort dso,sym`, samples × period ÷ the " +
      "client's rate × 3.5 s.",
    "- Where the per-chunk time goes, for the cells below 0.95 (profiles of 2026-12-03). **S2 and S4 " +
      "on Bun**: in the timed window both processes together spend 14.5 µs (raw) and 15.7 µs " +
      "(omnisock) of CPU per TCP round trip, 16.1 and 17.6 µs per UDP one, with overlapping ranges; " +
      "the system calls per round trip are the same; omnisock's code per chunk costs 25–85 ns when " +
      "run hot with the sockets faked, so the 0.5–0.75 µs per side it costs in place is most likely " +
      "its larger code and objects evicted from the cache by the peer process sharing the CPU " +
      "(not confirmed: this guest has no hardware counters). **S2 and S3 on Node** (2026-12-04, " +
      "23:43–23:47 UTC; S2's programs by hand, both on CPU 0, 100,000 timed round trips, 10 " +
      "alternated rounds, medians of the ratios to raw's pair by round): omnisock's server with " +
      "node:net's client 0.984×, omnisock's client with node:net's server 0.984×, both omnisock's " +
      "0.901× (0.78–1.05 by round). Each side spends more CPU per round trip as omnisock's, with " +
      "the same one context switch (`perf stat`, the four pairings alternated 4 times, start-up " +
      "included): the server 11.2 µs against 9.9, the client 11.4 against 10.7, 1.9 µs in all on " +
      "~20.6, this cell's 0.90×. On the server (`perf record -F 2999 -g` for 3 s with node:net's " +
      "client, the samples taken as the process is switched in left out) a round trip costs 6.21 " +
      "µs against 5.65: 0.49 µs under omnisock's own frames outside node:net's write (core's " +
      "`write` and its write queue, with the copy into the engine's buffer — node:net writes from " +
      "the caller's memory later when the kernel is full, so the caller's bytes cannot be lent —, " +
      "and `#receive`'s counters), the rest in V8's inline-cache stubs and runtime calls made from " +
      "those frames (among them one per private getter of core's Socket, 38 ns a round trip in " +
      "all). No one part is large, and none of it is code V8 failed to optimize: over 70,000 " +
      "round trips of the server (2026-12-05, `--log-ic`) every inline cache in omnisock's code " +
      "stayed monomorphic, and under `--trace-opt --trace-deopt` core's `#receive`, `#sendSlab`, " +
      "`#reserve` and `#hand` and the driver's `#onData` were optimized early and not deoptimized " +
      "until the connection closed. The driver's plain `Uint8Array` view of each Buffer (DESIGN.md's " +
      "one chunk type) costs nothing measurable: node:net's server made to write such a view of " +
      "each chunk ran at 1.007× (0.80–1.19) in the same rounds. (A profile of 2026-12-03, " +
      "`--cpu-prof`, had put +1.3 µs on the server, ~0.4 µs of it in omnisock's frames and the rest " +
      "in more garbage collection.) A `process.nextTick` per write (a write callback node:net " +
      "schedules even for a write the kernel took whole) was removed on 2026-12-03. **S4 on Deno**: " +
      "the same system calls as raw (strace: one `sendto`, one `recvfrom` per datagram); in one " +
      "process omnisock costs 31.7 µs of CPU per round trip against 28.4 µs, and of its extra " +
      "`perf` samples 79 % are in the `deno` binary (ops, V8's runtime, GC: omnisock allocates 903 " +
      "B per round trip on top of the 3,357 B Deno's own ops allocate) and 17 % in JavaScript " +
      "(~0.4 µs per round trip): the copy out of the receive buffer, the `{ data, remote }` object " +
      "per datagram and `send()`'s promise, which are the API.",
    "- **S7** (profiles of 2026-12-03, 22:20–23:00 UTC, commit 2539e65). omnisock and each " +
      "raw program make the same system calls per round trip (strace, 1,000–2,000 connections: " +
      "on Node one `read` and one `write` per side, on Bun one `recvfrom` and one `sendto`, as " +
      "many `epoll_wait`s), and the programs do the same work per round trip (one write per " +
      "message, one read handler per connection). Where the rest goes, from `perf record -F " +
      "2999 -g` on each process for 18 s of a 10,000-connection run (samples × 333 µs ÷ the " +
      "180,000 round trips in that time, within 0.7 µs of /proc's figures on Node), raw → " +
      "omnisock per round trip: **Node** server 22.8 → 26.2 µs (kernel 14.8 → 15.2, the `node` " +
      "binary 4.1 → 5.2, JIT code 2.9 → 4.5, libc 1.0 → 1.2), client 24.2 → 26.9 (13.1 → 13.3, " +
      "5.9 → 6.4, 4.3 → 6.1, 1.0 → 1.1); run again 40 minutes later on a quieter machine the " +
      "totals were level (server 19.0 and 19.4, client 19.7 and 19.0) and omnisock's extra " +
      "user-space time 1.2 µs (server) and 0.4 µs (client). In that server profile omnisock's " +
      "share is the driver's `Uint8Array` view and handoff (`#onData`, 0.46 µs), `#receive` " +
      "0.29, `write` 0.25, the copy into the socket's write slab 0.25, a generic `byteLength` " +
      "load of that slab (`Builtins_TypedArrayPrototypeByteLength`, 0.27 µs, the same on the " +
      "client) and `#hand` 0.16. Run hot over a fake driver the same echo costs 0.15–0.2 µs, so " +
      "most of it is each connection's objects (driver handle, socket, counters, reader, write " +
      "queue, slab) coming back into the cache once a second, which costs more the busier the " +
      "machine is (not confirmed: this guest has no hardware counters). **Deno** server 24.3 → " +
      "25.3 (kernel 13.1 → 12.0, `deno` 9.2 → 9.3, JIT 1.2 → 3.1), client 23.8 → 26.6 (11.4 → " +
      "10.4, 9.5 → 10.6, 2.0 → 4.6): the read loop with its copy out of the read buffer (1.2 µs " +
      "against the raw loop's 0.5), `write` 0.44, `#receive` 0.31, `#writeAll` and `send` 0.22 " +
      "each; less kernel time, as omnisock reads into 1 KiB per connection where the raw " +
      "program reads into 64 KiB. **Bun** server 12.4 → 13.8 (kernel 9.9 → 10.7, `bun` 1.2 → " +
      "1.6, JIT 1.1 → 1.3), client 11.7 → 14.1 (7.9 → 9.0, 1.6 → 2.2, 1.9 → 2.6): the same " +
      "`sendto`/`recvfrom` counts, but 2.5–5× the `madvise` and 2× the `futex` calls, " +
      "JavaScriptCore's collector giving memory back and touching it again for omnisock's " +
      "larger heap. Tried without a measurable gain: a write that leaves at once copied into " +
      "one block shared by every socket instead of the socket's slab, which took the slab and " +
      "its `byteLength` load out of the profile but added a view per write (user-space total on " +
      "the server 7.7 → 7.9 µs; S7 on Node in 3 alternated pairs, omnisock 46.4 → 43.8 µs " +
      "median, its ratio to raw 1.02–1.10 → 0.96–1.09); with it on Deno, one receive arena for " +
      "every connection instead of a 16 KiB block each (S7 on Deno in 3 alternated pairs, " +
      "omnisock 44.7 → 51.9 µs median, its ratio to raw 1.01–1.10 → 0.92–1.36); Deno's driver has read " +
      "that way since 2026-12-04 for what it does to S3 (above), and S7 on Deno read 1.18× (16:48 UTC), " +
      "1.17× (18:54) and 1.21× (1.10–1.24, this table's run) with it, against 1.07× at 10:15 without " +
      "it, while S7 on Node, whose code did not change, read 1.14×, 1.21×, 1.26× and 1.17× in the same " +
      "four runs: not told " +
      "apart from the machine's spread. Commands: `node " +
      "--perf-basic-prof bench/tcp-omnisock.mjs server --mode echo --once` and `node " +
      "--perf-basic-prof bench/tcp-omnisock.mjs scale --conns 10000 --size 32 --secs 20 " +
      "--warmup-secs 2 --parallel 128 --port <port> --server-pid <pid>` (and `tcp-node.mjs`; " +
      "Deno with `--v8-flags=--perf-basic-prof`), `perf record -F 2999 -g -p <pid>` from 3 s " +
      "after the start for 18 s, `perf report --sort dso,sym`.",
    "- T1 and T2 (TLS): omnisock and each raw API make the same system calls per round trip (one " +
      "send, one receive, one poll, counted with strace on every runtime), so what separates them " +
      "is work in user space: the same chunk handoff and bookkeeping as in S1 and S2. node:tls and " +
      "Deno's TLS hand over one TLS record (at most 16 KiB) per read where plain TCP gives up to " +
      "64 KiB, so in T1 that per-chunk cost comes up to four times as often per byte as in S1; " +
      "Bun's TLS delivers chunks of hundreds of KiB.",
    "- T1 on Deno, by side (2026-12-03, 22:30–23:10 UTC, T1's placement, the bench programs run " +
      "by hand for 3 s each, the other side raw, alternated; medians of 4–5 runs). **Sender:** " +
      "raw's client made 2,469 MB/s, omnisock's 1,937 with its default `noDelay: true` and 2,394 " +
      "with `noDelay: false`, the setting `Deno.connectTls` leaves (an earlier run over " +
      "`Deno.startTls`: raw's client 1,983 without TCP_NODELAY, 1,304 with it). So the sender's " +
      "gap was the socket option, which T1 now sets alike on both sides (Method). **Receiver:** " +
      "raw's sink 2,579, omnisock's 1,704 when it copied each record out of its reused read " +
      "buffer, 1,997 since it hands a read of 16 KiB or more over in place, as a view of the part " +
      "of its buffer the read landed in, and reads on into the rest of it (one new, zeroed, 64 KiB " +
      "buffer per four records). What remains there is the chunk the reader owns: raw's sink made " +
      "to read into new memory the same way made 2,310 against raw's 2,956 and omnisock's 2,263 " +
      "(3 alternated runs). One `conn.write` per 64 KiB and one `conn.read` per 16 KiB record on " +
      "both sides, as raw's (counted). Since the sink borrows (`read(handler, { borrow: true })`), " +
      "it reads every record into the same buffer, as raw's does: T1 on Deno went from 0.83× to " +
      "0.92× in the full runs (2026-12-03 23:21 and 2026-12-04 10:15 UTC). **By side again** " +
      "(2026-12-05, 03:33–03:35 UTC, the same way, the four pairings alternated 6 times, ratios " +
      "to raw's pair by round, medians): omnisock's sink with Deno's sender 1.03× (0.97–1.07), " +
      "omnisock's sender to Deno's sink 0.91× (0.84–0.97), both omnisock's 0.90× (0.85–0.98): " +
      "the sender is the side that trails now. It keeps its CPU busy, 72–74 % of it in the " +
      "kernel (`perf record -F 2999 -g` of the sender for 2 s, from 1.2 s in, one pair each: " +
      "1,649 MB/s raw, 1,600 omnisock); per MB sent omnisock's takes 3 % more samples, in its " +
      "JavaScript (1.45 % of them against 0.35 %) and in the `deno` binary (22.0 % against " +
      "20.6 %: the op and the promises of each write), about 1.2 µs on the ~40 µs of a 64 KiB " +
      "chunk.",
    "- **T1 on Bun**, by side (2026-12-04, 16:05–16:45 UTC, T1's placement, the bench programs " +
      "run by hand, alternated, the other side raw): the server is at parity (omnisock's sink " +
      "÷ raw's, median of paired runs: 1.02× at 1 s, 13 runs; 0.96× at 5 s, 7 runs), the sender " +
      "trails a little, the same at 1 s as at 5 s (0.96× and 0.92×; both omnisock 0.96×), so it " +
      "is not warm-up: in 250 ms windows omnisock's client is no slower in its first second " +
      "than later, though JavaScriptCore's compiler thread, on the client's CPU, ran 0.1 s in " +
      "omnisock's run and 4 ms in raw's. The sender is the bottleneck: its CPU is busy 92–100%, " +
      "82–84% of it in the kernel (`sendto` and the loopback's receive work), 13–15% in Bun " +
      "(the encryption), under 1% in JavaScript on either side (`perf record -F 2999 -g`, by " +
      "thread and dso). Both senders make one `sendto` per 64 KiB write (98,380 and 101,226 in " +
      "5 s, `strace -c -f`), and Bun's TLS hands the sink 90–220 KiB per `data` call on average " +
      "(up to 512 KiB) whoever sends. What omnisock added was user time: its client staged every " +
      "other 64 KiB write for the end of the tick and awaited a `flush()` for it; a large write " +
      "with nothing queued now leaves at once, and the client's user CPU went from 0.188 to 0.167 " +
      "s/GB (median; raw 0.157; lower in 11 of 13 alternated 5 s runs against the same raw sink, " +
      "`/usr/bin/time`), its throughput from 1,210 to 1,258 MB/s on average (higher in 10 of 13; " +
      "raw 1,301). Single runs of either program spread ±10–15% on this shared 2-CPU machine, " +
      "which is what the quick runs' 0.58–1.04× reflect.",
    "",
    "## Every run",
    "",
    "| scenario | runtime · API | per-repetition values |",
    "|---|---|---|",
  );
  for (const scenario of present) {
    for (const runtime of runtimes) {
      for (const entry of (scenario.apis ?? apis).filter(
        (candidate) => candidate.runtime === runtime,
      )) {
        const all = results.filter(
          (record) =>
            record.scenario === scenario.id &&
            record.runtime === runtime &&
            record.api === entry.api,
        );
        if (all.length === 0) continue;
        const shown = all
          .sort((a, b) => a.rep - b.rep)
          .map((record) =>
            record.error ? "failed" : number(record.value, metricDigits(scenario.unit)),
          );
        lines.push(
          `| ${scenario.id} | ${runtime} · ${labelOf(entry, scenario)} | ${shown.join(", ")} |`,
        );
      }
    }
  }
  // What a program saw and carried on past (tcp-omnisock.mjs): the first of each run's kind.
  const notes = new Map();
  for (const record of results) {
    const key = `${record.scenario} ${record.runtime} ${record.api}`;
    if (record.note && !notes.has(key)) notes.set(key, record.note);
  }
  if (notes.size > 0) {
    lines.push(
      "",
      "## Notes from the programs",
      "",
      "Not failures: the run went on and its result stands.",
      "",
    );
    for (const [key, note] of notes) lines.push(`- ${key}: ${note}`);
  }
  const failures = results.filter((record) => record.error);
  if (failures.length > 0) {
    lines.push("", "## Failed runs", "");
    for (const record of failures) {
      lines.push(
        `- ${record.scenario} ${record.runtime} ${record.api} (rep ${record.rep}): ${record.error.split("\n")[0]}`,
      );
    }
  }
  lines.push("");
  return { markdown: lines.join("\n"), svg: renderChart(results, present, runtimes) };
}

/**
 * What each API's TLS client and server agreed on, read from the ServerHello on the wire, and
 * whether that is what the runtime's raw API agreed on (else a ratio compares two ciphers).
 */
function negotiatedTable(negotiated, apis, runtimes) {
  const lines = [
    "## TLS: what each side agreed on",
    "",
    "Read from the ServerHello on the wire (one short run of each API through a relay), not asked " +
      "of the API: Deno's tells neither the version nor the cipher. The ratios compare like with like " +
      "where a runtime's rows agree; across runtimes the TLS libraries (OpenSSL in Node, BoringSSL " +
      "in Bun, rustls in Deno) pick different ciphers, so T1 and T2 compare APIs, not runtimes.",
    "",
    "| runtime · API | protocol | cipher | key exchange | same as raw |",
    "|---|---|---|---|:-:|",
  ];
  for (const runtime of runtimes) {
    const raw = negotiated.find((record) => record.runtime === runtime && record.api === "raw");
    for (const entry of apis.filter((candidate) => candidate.runtime === runtime)) {
      const record = negotiated.find(
        (candidate) => candidate.runtime === runtime && candidate.api === entry.api,
      );
      if (!record) continue;
      const { protocol, cipher, group, error } = record.negotiated;
      const same =
        entry.api === "raw" || !raw
          ? ""
          : cipher === raw.negotiated.cipher && protocol === raw.negotiated.protocol
            ? "✅"
            : "❌";
      lines.push(
        error
          ? `| ${runtime} · ${entry.tlsLabel ?? entry.label} | failed: ${error.split("\n")[0]} | | | |`
          : `| ${runtime} · ${entry.tlsLabel ?? entry.label} | ${protocol} | ${cipher} | ${group ?? "—"} | ${same} |`,
      );
    }
  }
  lines.push("");
  return lines;
}

/** A grouped bar chart of omnisock ÷ raw: one group per scenario, one bar per runtime. */
export function renderChart(results, scenarios, runtimes) {
  const colours = { node: "#3c873a", bun: "#c97b2b", deno: "#3b6fb6" };
  const width = 760;
  const height = 340;
  const left = 48;
  const bottom = 290;
  const top = 40;
  const groups = scenarios.map((scenario) => ({
    scenario,
    bars: runtimes.map((runtime) => ({
      runtime,
      ...ratios(results, scenario.id, runtime, "omnisock", baselineOf(scenario)),
    })),
  }));
  // The axis stops at 2.5 so that the ratios near 1 stay readable; a taller bar is cut off
  // there and carries its value (S5's tens of ×).
  const highest = 2.5;
  const scale = (value) => bottom - (Math.min(value, highest) / highest) * (bottom - top);
  const groupWidth = (width - left - 10) / Math.max(1, groups.length);
  const barWidth = Math.min(28, (groupWidth - 16) / Math.max(1, runtimes.length));
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">omnisock ÷ raw runtime API (median, bars show min–max over repetitions)</text>`,
  ];
  for (let tick = 0; tick <= highest + 1e-9; tick += 0.5) {
    const y = scale(tick);
    parts.push(
      `<line x1="${left}" x2="${width - 10}" y1="${y}" y2="${y}" stroke="${tick === 1 ? "#555" : "#e4e4e4"}" stroke-width="${tick === 1 ? 1.2 : 1}"/>`,
      `<text x="${left - 6}" y="${y + 4}" text-anchor="end" fill="#555">${tick.toFixed(1)}</text>`,
    );
  }
  groups.forEach((group, index) => {
    const x0 = left + index * groupWidth + (groupWidth - barWidth * runtimes.length) / 2;
    const target = TARGETS[group.scenario.id];
    if (target) {
      const y = scale(target.at);
      parts.push(
        `<line x1="${x0 - 6}" x2="${x0 + barWidth * runtimes.length + 6}" y1="${y}" y2="${y}" stroke="#c0392b" stroke-dasharray="4 3"/>`,
      );
    }
    group.bars.forEach((bar, barIndex) => {
      if (bar.median === undefined) return;
      const x = x0 + barIndex * barWidth;
      const y = scale(bar.median);
      parts.push(
        `<rect x="${x + 2}" y="${y}" width="${barWidth - 4}" height="${bottom - y}" fill="${colours[bar.runtime]}"><title>${group.scenario.id} ${bar.runtime}: ${bar.median.toFixed(2)}×</title></rect>`,
        bar.median > highest
          ? `<path d="M${x + 2} ${y + 10} l${(barWidth - 4) / 2} -6 l${(barWidth - 4) / 2} 6" stroke="#fff" stroke-width="2" fill="none"/>`
          : `<line x1="${x + barWidth / 2}" x2="${x + barWidth / 2}" y1="${scale(bar.range[0])}" y2="${scale(bar.range[1])}" stroke="#222"/>`,
        `<text x="${x + barWidth / 2}" y="${y - 4}" text-anchor="middle" font-size="10">${bar.median >= 10 ? bar.median.toFixed(0) : bar.median.toFixed(2)}</text>`,
      );
    });
    const label = group.scenario.id + (target?.atMost ? " (lower is better)" : "");
    parts.push(
      `<text x="${x0 + (barWidth * runtimes.length) / 2}" y="${bottom + 16}" text-anchor="middle">${label}</text>`,
    );
  });
  runtimes.forEach((runtime, index) => {
    const x = left + index * 90;
    parts.push(
      `<rect x="${x}" y="${height - 22}" width="12" height="12" fill="${colours[runtime]}"/>`,
      `<text x="${x + 16}" y="${height - 12}">${runtime}</text>`,
    );
  });
  parts.push(
    `<line x1="${left + 300}" x2="${left + 330}" y1="${height - 16}" y2="${height - 16}" stroke="#c0392b" stroke-dasharray="4 3"/>`,
    `<text x="${left + 336}" y="${height - 12}">target</text>`,
    "</svg>",
  );
  return `${parts.join("\n")}\n`;
}
