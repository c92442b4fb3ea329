#!/usr/bin/env node
/**
 * omnisock-echo-client: talk to an echo server like nc, or load it.
 *
 *   omnisock-echo-client --port 7000            type lines, see them echoed
 *   omnisock-echo-client --connections 10 --messages 1000 --size 64
 */
import { integerFlag, packageVersion, parseFlags, run, UsageError } from "./cli.js";
import { connectDatagram } from "./datagram.js";
import { formatProgress, formatReport, type LoadProgress, runLoad } from "./load.js";
import { connect, formatAddress, parseAddress, runtime } from "./omnisock.js";

const USAGE = `Usage: omnisock-echo-client [options]

Sends each line of stdin to an echo server and prints what comes back, like nc.
With --connections, --messages or --size it runs a load test instead: every
connection sends its messages one at a time and checks each echo byte for byte.

  --host <host>          server host (default 127.0.0.1)
  --port <port>          server port (default 7000)
  --unix <path>          connect to a Unix socket instead
  --udp                  use UDP instead of TCP
  --connections <n>      load: connections at once (default 1)
  --messages <n>         load: messages per connection (default 1000)
  --size <bytes>         load: bytes per message (default 64)
  --timeout <seconds>    load: give up after this long (default 30)
  -h, --help             show this text
  --version              show the version

In a terminal a load run shows its progress on one line as it goes.

Exit code: 0 when all went well, 1 on a mismatch or an error, 2 on a bad flag.
`;

// How long to wait for echoes still on their way once stdin has ended.
const LINGER = 2_000;

async function main(): Promise<number> {
  const values = parseFlags({
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string" },
    unix: { type: "string" },
    udp: { type: "boolean" },
    connections: { type: "string" },
    messages: { type: "string" },
    size: { type: "string" },
    timeout: { type: "string" },
    help: { type: "boolean", short: "h" },
    version: { type: "boolean" },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`omnisock-echo-client ${packageVersion(import.meta.url)} (${runtime})\n`);
    return 0;
  }
  if (values.unix !== undefined && values.udp) {
    throw new UsageError("--unix and --udp exclude each other");
  }
  if (values.unix === "") throw new UsageError("--unix needs a path");
  if (values.host === "") throw new UsageError("--host needs a host name or address");
  const port = integerFlag("port", values.port, 7000, 1, 65_535);
  const target =
    values.unix !== undefined
      ? formatAddress({ transport: "unix", path: values.unix })
      : formatAddress({ transport: values.udp ? "udp" : "tcp", hostname: values.host, port });

  const load = values.connections ?? values.messages ?? values.size;
  if (load === undefined) return values.udp ? talkDatagram(target) : talk(target);

  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  // Progress only for a person watching: a pipe or a file gets the report alone.
  const progress = process.stdout.isTTY ? new ProgressLine(process.stdout) : undefined;
  const report = await runLoad({
    target,
    connections: integerFlag("connections", values.connections, 1, 1, 10_000),
    messages: integerFlag("messages", values.messages, 1000, 1, 10_000_000),
    size: integerFlag("size", values.size, 64, 1, values.udp ? 65_507 : 16 * 1024 * 1024),
    timeout: integerFlag("timeout", values.timeout, 30, 1, 86_400) * 1000,
    signal: controller.signal,
    onProgress: progress && ((state: LoadProgress) => progress.show(formatProgress(state))),
  });
  progress?.clear();
  process.stdout.write(formatReport(report));
  return report.ok ? 0 : 1;
}

/** One line on a terminal, rewritten in place and cut to its width so that it never wraps. */
class ProgressLine {
  readonly #out: NodeJS.WriteStream;
  #shown = false;

  constructor(out: NodeJS.WriteStream) {
    this.#out = out;
  }

  show(line: string): void {
    // Some terminals (and some runtimes' streams) report 0 columns: treat that as unknown.
    const width = Math.max(20, (this.#out.columns || 80) - 1);
    const text = line.length > width ? `${line.slice(0, width - 1)}…` : line;
    this.#out.write(`\r${text}\x1b[K`);
    this.#shown = true;
  }

  clear(): void {
    if (this.#shown) this.#out.write("\r\x1b[K");
    this.#shown = false;
  }
}

/** TCP or Unix: lines out, whatever comes back printed as it comes. */
async function talk(target: string): Promise<number> {
  const socket = await connect(target, { timeout: 5_000 });
  if (process.stdin.isTTY) {
    process.stderr.write(`connected to ${formatAddress(socket.remoteAddress)}; Ctrl-D ends\n`);
  }
  const printing = (async () => {
    for await (const chunk of socket) process.stdout.write(chunk);
  })();
  const sending = (async () => {
    for await (const line of stdinLines()) {
      if (!socket.write(`${line}\n`)) await socket.flush();
    }
    // Half-close: the server echoes what is still on its way, then closes its side.
    await socket.end();
    await Promise.race([printing, sleep(LINGER)]);
  })();
  // Whichever side ends first ends the session: stdin at EOF, or the server closing.
  printing.catch(() => {});
  sending.catch(() => {});
  try {
    await Promise.race([printing, sending]);
  } finally {
    await socket.close();
  }
  return 0;
}

/** UDP: one datagram per line. UDP has no end of stream, so at EOF wait a little for the last echoes. */
async function talkDatagram(target: string): Promise<number> {
  const address = parseAddress(target);
  if (address.transport !== "udp") throw new Error(`not a UDP address: ${target}`);
  const socket = await connectDatagram(address);
  if (process.stdin.isTTY) {
    process.stderr.write(
      `sending datagrams to ${formatAddress(socket.remoteAddress ?? address)}; Ctrl-D ends\n`,
    );
  }
  let sent = 0;
  let received = 0;
  const printing = (async () => {
    for await (const { data } of socket) {
      received++;
      process.stdout.write(data);
    }
  })();
  try {
    for await (const line of stdinLines()) {
      await socket.send(`${line}\n`);
      sent++;
    }
    const deadline = Date.now() + LINGER;
    while (received < sent && Date.now() < deadline) await sleep(10);
  } finally {
    await socket.close();
    await printing;
  }
  if (received < sent) {
    process.stderr.write(`${sent - received} of ${sent} datagrams got no echo\n`);
    return 1;
  }
  return 0;
}

/** Lines of stdin without their "\n" (or "\r\n"); a last line without one too. */
async function* stdinLines(): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of process.stdin as AsyncIterable<Uint8Array | string>) {
    pending += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    for (let newline = pending.indexOf("\n"); newline >= 0; newline = pending.indexOf("\n")) {
      yield pending.slice(0, newline).replace(/\r$/, "");
      pending = pending.slice(newline + 1);
    }
  }
  pending += decoder.decode();
  if (pending !== "") yield pending;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

run(main);
