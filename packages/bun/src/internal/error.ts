// The one place where Bun's errors become SocketErrors. Bun's socket errors carry Node's
// `code` (ECONNREFUSED, …); Bun.dns's carry `DNS_`-prefixed ones (DNS_ENOTFOUND, …).
import { formatAddress, ipFamily, SocketError } from "@omnisock/core";
import type { Address, SocketAddress, SocketErrorCode } from "@omnisock/core";
import { inetAddress } from "./address.js";

/** Bun's `err.code` (or a DOMException's `name`) → omnisock's stable code. Anything else is `EIO`. */
const codes: Readonly<Record<string, SocketErrorCode>> = {
  ECONNREFUSED: "ECONNREFUSED",
  ECONNRESET: "ECONNRESET",
  ECONNABORTED: "ECONNRESET",
  ETIMEDOUT: "ETIMEDOUT",
  EADDRINUSE: "EADDRINUSE",
  EADDRNOTAVAIL: "EADDRNOTAVAIL",
  EACCES: "EACCES",
  EPERM: "EACCES",
  ENOTFOUND: "ENOTFOUND",
  DNS_ENOTFOUND: "ENOTFOUND",
  DNS_ENODATA: "ENOTFOUND",
  DNS_ENONAME: "ENOTFOUND",
  DNS_ESERVFAIL: "ENOTFOUND",
  DNS_EREFUSED: "ENOTFOUND",
  // Asking for one family of an IP literal of the other ("::1" as IPv4): Node says ENOTFOUND.
  DNS_EBADFAMILY: "ENOTFOUND",
  DNS_ETIMEOUT: "ETIMEDOUT",
  EHOSTUNREACH: "EHOSTUNREACH",
  ENETUNREACH: "ENETUNREACH",
  EPIPE: "EPIPE",
  EMSGSIZE: "EMSGSIZE",
  // Bun's UDP setters on a closed socket reach setsockopt with a dead descriptor.
  EBADF: "ECLOSED",
  AbortError: "EABORTED",
  TimeoutError: "ETIMEDOUT",
};

export interface ErrorContext {
  /** What was attempted: `connect`, `listen`, `bind`, `send`, `lookup`, … */
  readonly syscall: string;
  /** The address involved, as the user gave it or as the socket has it. */
  readonly address?: Address | SocketAddress | undefined;
  /** Said instead when there is no address: the name being looked up, `fd 3`, … */
  readonly name?: string | undefined;
}

export function toSocketError(native: unknown, context: ErrorContext): SocketError {
  if (native instanceof SocketError) return native;
  const nativeCode = codeOf(native);
  // ENOENT on connect: no socket file at that path, so nothing listens there.
  const code =
    nativeCode === "ENOENT" && context.syscall === "connect"
      ? "ECONNREFUSED"
      : (codes[nativeCode ?? ""] ?? "EIO");
  const where = context.address
    ? ` ${formatAddress(context.address)}`
    : context.name !== undefined
      ? ` ${context.name}`
      : "";
  const detail = nativeCode !== undefined && nativeCode !== code ? ` (${nativeCode})` : "";
  return new SocketError(code, `${context.syscall}${where} failed${detail}`, {
    syscall: context.syscall,
    address: reported(context.address),
    cause: native,
  });
}

function codeOf(native: unknown): string | undefined {
  if (typeof native !== "object" || native === null) return undefined;
  const { code, name } = native as { code?: unknown; name?: unknown };
  if (typeof code === "string") return code;
  return typeof name === "string" && name in codes ? name : undefined;
}

/**
 * `SocketError.address` holds a resolved address only: a name still to resolve is left out
 * (the driver resolves names itself and reports the IP it tried).
 */
function reported(address: Address | SocketAddress | undefined): SocketAddress | undefined {
  if (address === undefined || address.transport === "unix") return address;
  if (address.family !== undefined) return { ...address, family: address.family };
  return ipFamily(address.hostname)
    ? inetAddress(address.transport, address.hostname, address.port)
    : undefined;
}
