// Numbers and addresses for people: shared by the load report and the echo server's socket table.
import type { Address } from "./omnisock.js";

const grouped = new Intl.NumberFormat("en-US");

/** 10000 → "10,000". */
export function formatCount(count: number): string {
  return grouped.format(count);
}

/** Decimal units, as network throughput is usually quoted: 5 B, 64.0 kB, 1.55 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  for (value /= 1000; value >= 1000 && unit < units.length - 1; unit++) value /= 1000;
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** A duration in milliseconds: 38 µs, 1.2 ms, 412 ms, 3.4 s, 2m05s. */
export function formatDuration(ms: number): string {
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
}

/**
 * An address without its scheme, for text that names the transport already:
 * "127.0.0.1:7000", "[::1]:7000", "/tmp/echo.sock". `formatAddress` gives the full form.
 */
export function formatEndpoint(address: Address): string {
  if (address.transport === "unix") return address.path === "" ? "(unnamed)" : address.path;
  const host = address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname;
  return `${host}:${address.port}`;
}

/** 1 → "1 error", 2 → "2 errors". */
export function plural(count: number, noun: string): string {
  return `${formatCount(count)} ${noun}${count === 1 ? "" : "s"}`;
}
