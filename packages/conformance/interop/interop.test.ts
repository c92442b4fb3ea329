// Cross-runtime interop: for every pair (Node, Bun, Deno) client × (Node, Bun, Deno) server,
// a 16 MiB TCP transfer and a 16 MiB TLS one arrive sha256-equal, a STARTTLS dialogue upgrades
// both ends (or each side that cannot answers ENOTSUP), 1,000 UDP datagrams come back complete
// and unchanged, and a Unix-socket exchange works; a TLS close, either way round, sends
// close_notify (seen on the wire, through a relay here) and the other side reads a clean end. Each runtime runs peer.mjs (the server) or
// client.mjs (the client) as a real child process importing `omnisock`, so the runtime's own
// resolver picks the driver by export condition; the driver (this file) runs on Node.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { TlsRecords } from "../src/cases/tls.js";
import { caCert, serverCert, serverKey } from "../src/fixtures/tls.js";
import { firstLine } from "../test/helper-process.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = join(here, "../../..");
const peerScript = join(here, "peer.mjs");
const clientScript = join(here, "client.mjs");

interface Runtime {
  readonly name: "node" | "bun" | "deno";
  readonly command: string;
  readonly args: readonly string[];
  /** Why this runtime cannot take part, or `undefined` when it can. */
  readonly missing: string | undefined;
}

function runtime(name: Runtime["name"], command: string, args: string[], driver: string): Runtime {
  let missing: string | undefined;
  if (!existsSync(command)) missing = `${command} is not installed (npm ci)`;
  else if (!existsSync(join(root, "packages", driver, "dist/index.js")))
    missing = `@omnisock/${driver} is not built`;
  else if (!existsSync(join(root, "packages/omnisock/dist/index.d.ts")))
    missing = "omnisock is not built";
  return { name, command, args, missing };
}

const runtimes: readonly Runtime[] = [
  runtime("node", process.execPath, [], "node"),
  runtime("bun", join(root, "node_modules/.bin/bun"), [], "bun"),
  // UDP in Deno is behind --unstable-net; -A for the network, the temp dir and the environment.
  runtime("deno", join(root, "node_modules/.bin/deno"), ["run", "-A", "--unstable-net"], "deno"),
];

/** The test PKI as files, for the children (their TLS options read PEM files). */
const pki = mkdtempSync(join(tmpdir(), "omnisock-interop-pki-"));
const tlsEnv = {
  OMNISOCK_TLS_CERT: join(pki, "server.pem"),
  OMNISOCK_TLS_KEY: join(pki, "server.key"),
  OMNISOCK_TLS_CA: join(pki, "ca.pem"),
};
writeFileSync(tlsEnv.OMNISOCK_TLS_CERT, serverCert);
writeFileSync(tlsEnv.OMNISOCK_TLS_KEY, serverKey);
writeFileSync(tlsEnv.OMNISOCK_TLS_CA, caCert);

/** Every process a pair started, killed when the file ends whatever happened. */
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
  rmSync(pki, { recursive: true, force: true });
});

/**
 * A pair's two processes, start to finish. client.mjs bounds its own checks to 20 s in all,
 * so a slow check still comes back as a result; this is the limit for a process that hangs.
 */
const PAIR_LIMIT = 21_000;
/** And the whole file: once it is spent, the remaining pairs fail at once instead of waiting. */
const deadline = Date.now() + 55_000;

interface Check {
  ok: boolean;
  ms: number;
  error?: string;
  bytes?: number;
  sha256?: string;
  datagrams?: number;
  secure?: boolean;
  /** STARTTLS: "upgraded", or the code the side's own startTls answered. */
  client?: string;
  server?: string;
  /** What the plain socket counted both ways before the upgrade. */
  plainBytes?: number;
}
interface PairResult {
  server: { runtime: string; tlsServerUpgrade: boolean; unix: string | null };
  client: {
    runtime: string;
    tlsUpgrade: boolean;
    tcp: Check;
    tls: Check | null;
    starttls: Check | null;
    udp: Check;
    unix: Check | null;
    tlsClose: Check | null;
  };
  /** How the server read the client's TLS close: what peer.mjs printed after its first line. */
  tlsCloseSeen: { bytes: number; end: string } | undefined;
  /** The records the relays saw: the server's close after the TLS check, the client's last. */
  serverClosed: TlsRecords;
  clientClosed: TlsRecords;
}

/** Start `script` on `runtime`, with stdin kept open (closing it stops peer.mjs). */
function start(runtime: Runtime, script: string, args: string[]): ChildProcess {
  const child = spawn(runtime.command, [...runtime.args, script, ...args], {
    cwd: root,
    stdio: ["pipe", "pipe", "pipe"],
    // Deno would otherwise print colour codes into the JSON line's neighbourhood.
    env: { ...process.env, ...tlsEnv, NO_COLOR: "1" },
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

/** Stop `child`: close its stdin, then SIGKILL if it has not exited within a second. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.stdin?.end();
  const timer = setTimeout(() => child.kill("SIGKILL"), 1_000);
  await exited;
  clearTimeout(timer);
}

/**
 * A TCP relay on 127.0.0.1 to `port` that follows the TLS records going each way, so that what
 * ended each direction can be seen: close_notify is encrypted, and every runtime reads an end
 * without one as an end.
 */
async function tlsRelay(port: number) {
  const toServer = new TlsRecords();
  const toClient = new TlsRecords();
  const relay = net.createServer({ allowHalfOpen: true }, (front) => {
    const back = net.connect({ host: "127.0.0.1", port, allowHalfOpen: true });
    follow(front, back, toServer);
    follow(back, front, toClient);
  });
  relay.listen(0, "127.0.0.1");
  await once(relay, "listening");
  const { port: relayPort } = relay.address() as net.AddressInfo;
  return { port: relayPort, toServer, toClient, close: () => relay.close() };
}

function follow(from: net.Socket, to: net.Socket, records: TlsRecords): void {
  from.on("data", (chunk: Uint8Array) => records.add(chunk));
  from.pipe(to);
  from.on("end", () => (records.ended = true));
  // An RST (a closed peer answering what was relayed to it): what came before is recorded.
  from.on("error", () => {
    records.ended = true;
    to.destroy();
  });
}

/** The lines `child` writes to stdout, as they come. */
function collectLines(child: ChildProcess): string[] {
  const lines: string[] = [];
  let buffered = "";
  child.stdout?.on("data", (chunk: Uint8Array) => {
    buffered += chunk;
    for (let end = buffered.indexOf("\n"); end !== -1; end = buffered.indexOf("\n")) {
      lines.push(buffered.slice(0, end));
      buffered = buffered.slice(end + 1);
    }
  });
  return lines;
}

async function runPair(client: Runtime, server: Runtime): Promise<PairResult> {
  const until = Math.min(Date.now() + PAIR_LIMIT, deadline);
  if (until <= Date.now()) throw new Error("the interop run's 55 s budget is spent");
  const unixPath = join(
    tmpdir(),
    `omnisock-interop-${process.pid}-${client.name}-${server.name}.sock`,
  );
  rmSync(unixPath, { force: true });
  const peer = start(server, peerScript, ["--unix", unixPath, "--lifetime", String(PAIR_LIMIT)]);
  const peerLines = collectLines(peer);
  const relays: Awaited<ReturnType<typeof tlsRelay>>[] = [];
  try {
    const ready = JSON.parse(await firstLine(peer, `the ${server.name} server`, until));
    // The client's TLS and TLS close checks go through relays; the rest straight to the peer.
    const serverCloses = await tlsRelay(ready.tls);
    const clientCloses = await tlsRelay(ready.tlsClose);
    relays.push(serverCloses, clientCloses);
    const relayed = { ...ready, tls: serverCloses.port, tlsClose: clientCloses.port };
    const clientProcess = start(client, clientScript, [JSON.stringify(relayed)]);
    try {
      const answer = await firstLine(clientProcess, `the ${client.name} client`, until);
      // The TLS close is the client's last act: once it has exited, the relay and the peer
      // have its end (or soon will).
      await once(clientProcess, "exit");
      const seen = (): { bytes: number; end: string } | undefined =>
        peerLines.map((line) => JSON.parse(line).closeRead).find(Boolean);
      const settled = Date.now() + 2_000;
      while ((!clientCloses.toServer.ended || !seen()) && Date.now() < settled) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return {
        server: ready,
        client: JSON.parse(answer),
        tlsCloseSeen: seen(),
        serverClosed: serverCloses.toClient,
        clientClosed: clientCloses.toServer,
      };
    } finally {
      await stop(clientProcess);
    }
  } finally {
    for (const relay of relays) relay.close();
    await stop(peer);
    rmSync(unixPath, { force: true });
  }
}

/** The JSON of a failed check, for the assertion message. */
function describeCheck(check: Check | null | undefined): string {
  return check ? (check.ok ? "ok" : `${check.error}`) : "not run";
}

for (const server of runtimes) {
  for (const client of runtimes) {
    const pair = `${client.name} client → ${server.name} server`;
    const missing = server.missing ?? client.missing;
    // The three checks share one run of the pair, started by whichever case comes first.
    let run: Promise<PairResult> | undefined;
    const result = () => (run ??= runPair(client, server));
    if (missing !== undefined) console.warn(`[interop] ${pair} skipped: ${missing}`);

    it.skipIf(missing !== undefined)(`${pair}: tcp 16 MiB sha256`, async () => {
      const { server: peer, client: answer } = await result();
      // Each side is the driver its runtime's export condition picked.
      expect(peer.runtime).toBe(server.name);
      expect(answer.runtime).toBe(client.name);
      expect(answer.tcp.ok, describeCheck(answer.tcp)).toBe(true);
      expect(answer.tcp.bytes).toBe(16 * 1024 * 1024);
      expect(answer.tcp.sha256).toMatch(/^[0-9a-f]{64}$/);
    });

    it.skipIf(missing !== undefined)(`${pair}: tls 16 MiB sha256`, async () => {
      const { client: answer } = await result();
      expect(answer.tls?.ok, describeCheck(answer.tls)).toBe(true);
      expect(answer.tls?.bytes).toBe(16 * 1024 * 1024);
      expect(answer.tls?.secure).toBe(true);
    });

    // Who can upgrade is what each runtime's capabilities say, never its name: a side that
    // cannot must answer ENOTSUP, and the pair upgrades as soon as both can.
    it.skipIf(missing !== undefined)(`${pair}: starttls dialogue`, async () => {
      const { server: peer, client: answer } = await result();
      const check = answer.starttls;
      expect(check?.ok, describeCheck(check)).toBe(true);
      if (!answer.tlsUpgrade) expect(check?.client, "the client's startTls()").toBe("ENOTSUP");
      if (!peer.tlsServerUpgrade) expect(check?.server, "the server's startTls()").toBe("ENOTSUP");
      if (answer.tlsUpgrade && peer.tlsServerUpgrade) {
        expect(check).toMatchObject({ client: "upgraded", server: "upgraded", secure: true });
        expect(check?.bytes).toBe(1024 * 1024);
        // "HELLO STARTTLS\n", "STARTTLS\n", "GO\n": plaintext only, no TLS record.
        expect(check?.plainBytes).toBe(15 + 9 + 3);
      }
    });

    it.skipIf(missing !== undefined)(
      `${pair}: a TLS close sends close_notify, either way round, and is read as a clean end`,
      async () => {
        const outcome = await result();
        const { client: answer } = outcome;
        // The server's close, after the TLS check: the client read it as the end (no ECONNRESET).
        expect(answer.tls?.ok, describeCheck(answer.tls)).toBe(true);
        expect(
          outcome.serverClosed.endsWithAlert,
          `the server's last record: ${JSON.stringify(outcome.serverClosed.last)}`,
        ).toBe(true);
        // The client's close, right before its process exits.
        expect(answer.tlsClose?.ok, describeCheck(answer.tlsClose)).toBe(true);
        expect(outcome.tlsCloseSeen, "how the server read the client's close").toEqual({
          bytes: 3,
          end: "end",
        });
        expect(
          outcome.clientClosed.endsWithAlert,
          `the client's last record: ${JSON.stringify(outcome.clientClosed.last)}`,
        ).toBe(true);
      },
    );

    it.skipIf(missing !== undefined)(`${pair}: udp 1,000 datagrams`, async () => {
      const { client: answer } = await result();
      expect(answer.udp.ok, describeCheck(answer.udp)).toBe(true);
      expect(answer.udp.datagrams).toBe(1_000);
    });

    it.skipIf(missing !== undefined)(`${pair}: unix echo`, async () => {
      const { server: peer, client: answer } = await result();
      expect(
        peer.unix,
        `the ${server.name} server has no Unix sockets (capabilities.unix)`,
      ).not.toBeNull();
      expect(answer.unix?.ok, describeCheck(answer.unix)).toBe(true);
      expect(answer.unix?.bytes).toBe(1024 * 1024);
    });
  }
}

const deno = runtimes.find((candidate) => candidate.name === "deno")!;
it.skipIf(deno.missing !== undefined)(
  "deno without --unstable-net: bind() is ENOTSUP naming the flag, TCP still works",
  async () => {
    const child = start({ ...deno, args: ["run", "-A"] }, join(here, "flags.mjs"), []);
    try {
      const answer = JSON.parse(await firstLine(child, "deno flags.mjs", Date.now() + 10_000));
      expect(answer.runtime).toBe("deno");
      expect(answer.udp).toEqual({
        code: "ENOTSUP",
        message: expect.stringContaining("--unstable-net"),
      });
      expect(answer.tcp).toBe(true);
    } finally {
      await stop(child);
    }
  },
);
