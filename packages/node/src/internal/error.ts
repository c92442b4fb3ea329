// The one place where Node's errors become SocketErrors.
// https://nodejs.org/api/errors.html#common-system-errors
import { isIP } from "node:net";
import { formatAddress, SocketError } from "@omnisock/core";
import type { Address, SocketAddress, SocketErrorCode } from "@omnisock/core";
import { inetAddress } from "./address.js";

/** Node's `err.code` (or a DOMException's `name`) → omnisock's stable code. Anything else is `EIO`. */
const codes: Readonly<Record<string, SocketErrorCode>> = {
  ECONNREFUSED: "ECONNREFUSED",
  ECONNRESET: "ECONNRESET",
  ETIMEDOUT: "ETIMEDOUT",
  EADDRINUSE: "EADDRINUSE",
  EADDRNOTAVAIL: "EADDRNOTAVAIL",
  EACCES: "EACCES",
  EPERM: "EACCES",
  ENOTFOUND: "ENOTFOUND",
  EAI_NONAME: "ENOTFOUND",
  EAI_NODATA: "ENOTFOUND",
  EAI_AGAIN: "ENOTFOUND",
  EAI_FAIL: "ENOTFOUND",
  EHOSTUNREACH: "EHOSTUNREACH",
  ENETUNREACH: "ENETUNREACH",
  EPIPE: "EPIPE",
  EMSGSIZE: "EMSGSIZE",
  ERR_SOCKET_DGRAM_NOT_RUNNING: "ECLOSED",
  ERR_SOCKET_CLOSED: "ECLOSED",
  ERR_STREAM_DESTROYED: "ECLOSED",
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
    address: reported(context.address, native),
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
 * `SocketError.address` holds a resolved address only. A name still to resolve is replaced
 * by the IP Node tried, when its error says.
 */
function reported(
  address: Address | SocketAddress | undefined,
  native: unknown,
): SocketAddress | undefined {
  if (address === undefined || address.transport === "unix") return address;
  if (address.family !== undefined) return { ...address, family: address.family };
  const tried: { address?: unknown } = typeof native === "object" && native !== null ? native : {};
  const hostname = isIP(address.hostname) ? address.hostname : tried.address;
  return typeof hostname === "string" && isIP(hostname)
    ? inetAddress(address.transport, hostname, address.port)
    : undefined;
}
