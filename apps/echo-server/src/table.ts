/**
 * The socket table and the event lines, as plain text: what `monitor.sockets()` and
 * `monitor.subscribe` report, in the names the monitor itself uses.
 */
import { formatBytes, formatCount, formatDuration, formatEndpoint } from "@omnisock/echo-client";
import {
  formatAddress,
  type MonitorEntry,
  type MonitorEvent,
  type ServerStats,
  type SocketAddress,
  type SocketStats,
} from "./omnisock.js";

const COLUMNS = ["ID", "KIND", "ROLE", "LOCAL", "REMOTE", "STATE", "IN", "OUT", "AGE"] as const;
const RIGHT_ALIGNED: ReadonlySet<string> = new Set(["ID", "IN", "OUT", "AGE"]);

/** A header line and one line per entry, by id, in aligned columns. */
export function renderTable(entries: readonly MonitorEntry[]): string[] {
  const rows = [...entries].sort((a, b) => a.id - b.id).map(cells);
  const widths = COLUMNS.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  return [[...COLUMNS], ...rows].map((row) =>
    row
      .map((cell, column) =>
        RIGHT_ALIGNED.has(COLUMNS[column]!)
          ? cell.padStart(widths[column]!)
          : cell.padEnd(widths[column]!),
      )
      .join("  ")
      .trimEnd(),
  );
}

function cells(entry: MonitorEntry): string[] {
  return [
    `#${entry.id}`,
    entry.kind,
    entry.role,
    address(entry.localAddress),
    address(entry.remoteAddress),
    entry.state,
    ...traffic(entry.stats),
    formatAge(entry.age),
  ];
}

/** In and out: bytes and packets of a socket, connections of a listener. */
function traffic(stats: SocketStats | ServerStats): [string, string] {
  if ("accepted" in stats) {
    return [
      `${formatCount(stats.accepted)} accepted`,
      stats.refused > 0 ? `${formatCount(stats.refused)} refused` : "",
    ];
  }
  const dropped =
    "packetsDropped" in stats &&
    typeof stats.packetsDropped === "number" &&
    stats.packetsDropped > 0
      ? `, ${formatCount(stats.packetsDropped)} dropped`
      : "";
  return [
    `${formatBytes(stats.bytesReceived)} / ${formatCount(stats.packetsReceived)} pkt${dropped}`,
    `${formatBytes(stats.bytesSent)} / ${formatCount(stats.packetsSent)} pkt`,
  ];
}

function address(value: SocketAddress | undefined): string {
  if (value === undefined) return "";
  // A Unix client socket has no name of its own.
  if (value.transport === "unix" && value.path === "") return "(unnamed)";
  return formatAddress(value);
}

function formatAge(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : formatDuration(ms);
}

/**
 * One line for a lifecycle event, such as `accept #12 tcp 127.0.0.1:7000 <- 127.0.0.1:51234`
 * or `close #12 in 5 B / 1 pkt out 5 B / 1 pkt after 3 ms`; `undefined` for `send` and
 * `receive`, which would flood a log. `stats` are the closed object's final counters.
 */
export function describeEvent(
  event: MonitorEvent,
  stats?: SocketStats | ServerStats,
): string | undefined {
  const head = `${event.type} #${event.id}`;
  const { localAddress: local, remoteAddress: remote } = event;
  switch (event.type) {
    case "listen":
      return local ? `${head} ${local.transport} ${formatEndpoint(local)}` : head;
    case "accept":
      return local && remote
        ? `${head} ${local.transport} ${formatEndpoint(local)} <- ${formatEndpoint(remote)}`
        : head;
    case "connect":
      if (!remote) return head;
      return local
        ? `${head} ${remote.transport} ${formatEndpoint(local)} -> ${formatEndpoint(remote)}`
        : `${head} ${remote.transport} -> ${formatEndpoint(remote)}`;
    case "close": {
      if (!stats) return head;
      const [received, sent] = traffic(stats);
      const lifetime =
        stats.closedAt === undefined ? "" : ` after ${formatAge(stats.closedAt - stats.openedAt)}`;
      return "accepted" in stats
        ? `${head} ${received}${lifetime}`
        : `${head} in ${received} out ${sent}${lifetime}`;
    }
    case "error":
      return event.error ? `${head} ${event.error.code} ${event.error.message}` : head;
    default:
      return undefined;
  }
}
