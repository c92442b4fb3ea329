/**
 * The end-to-end demo that `npm start` runs: an echo server and its clients in one process,
 * so that it runs as it is on any runtime, with no child process. A short exchange over the
 * Unix socket and over UDP, then a TCP load, every echo checked byte for byte. Prints the
 * socket table (taken while the TCP connections are still open) and the load reports; exits
 * with 1 if any echo differed or anything failed.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  describeError,
  formatCount,
  formatDuration,
  formatEndpoint,
  formatReport,
  type LoadReport,
  run,
  runLoad,
} from "@omnisock/echo-client";
import { startEcho } from "./echo.js";
import {
  formatAddress,
  type MonitorEntry,
  type MonitorEventType,
  monitor,
  runtime,
} from "./omnisock.js";
import { renderTable } from "./table.js";

// A bound on the whole demo; on loopback it takes well under a second.
const TIMEOUT = 15_000;

async function main(): Promise<number> {
  const started = performance.now();
  const events = new Map<MonitorEventType, number>();
  const unsubscribe = monitor.subscribe((event) =>
    events.set(event.type, (events.get(event.type) ?? 0) + 1),
  );
  const echo = await startEcho({
    hostname: "127.0.0.1",
    port: 0,
    udpPort: 0,
    unixPath: join(tmpdir(), `omnisock-demo-${process.pid}.sock`),
  });
  const servers = [
    echo.tcp.address,
    echo.udp.localAddress,
    ...(echo.unix ? [echo.unix.address] : []),
  ];
  process.stdout.write(
    `omnisock demo on ${runtime} ${version()}: echo server on ` +
      `${servers.map((address) => `${address.transport} ${formatEndpoint(address)}`).join(", ")}\n\n`,
  );

  const reports: LoadReport[] = [];
  let snapshot: readonly MonitorEntry[] = [];
  let failure: unknown;
  try {
    const load = { messages: 100, size: 64, timeout: TIMEOUT };
    if (echo.unix) {
      reports.push(
        await runLoad({ ...load, target: formatAddress(echo.unix.address), connections: 2 }),
      );
    }
    reports.push(
      await runLoad({ ...load, target: formatAddress(echo.udp.localAddress), connections: 2 }),
    );
    reports.push(
      await runLoad({
        ...load,
        target: formatAddress(echo.tcp.address),
        connections: 10,
        messages: 1000,
        beforeClose: () => (snapshot = monitor.sockets()),
      }),
    );
  } catch (error) {
    failure = error;
  } finally {
    await echo.close(1_000);
    unsubscribe();
  }

  const out: string[] = [];
  if (snapshot.length > 0) {
    out.push(
      "Sockets at the end of the TCP load (monitor.sockets()):",
      ...renderTable(snapshot),
      "",
    );
  }
  for (const report of reports) out.push(formatReport(report));
  const counted = [...events].map(([type, count]) => `${type} ${formatCount(count)}`).join(", ");
  out.push(`Monitor events seen: ${counted}`);
  const ok = failure === undefined && reports.every((report) => report.ok);
  const elapsed = formatDuration(performance.now() - started);
  if (failure !== undefined) out.push(`error: ${describeError(failure)}`);
  out.push(ok ? `Every echo matched, in ${elapsed}.` : `FAILED after ${elapsed}.`);
  process.stdout.write(`${out.join("\n")}\n`);
  return ok ? 0 : 1;
}

/** The runtime's own version (Bun and Deno also report a Node version, for compatibility). */
function version(): string {
  const versions = process.versions as Record<string, string | undefined>;
  return versions.bun ?? versions.deno ?? versions.node ?? "";
}

run(main);
