// The one place where Deno's errors become SocketErrors.
// https://docs.deno.com/api/deno/~/Deno.errors
// Deno throws a class per kind (`Deno.errors.ConnectionRefused`, …) whose `name` is the kind;
// OS errors also carry Node's `code` (ECONNREFUSED, EMSGSIZE, …), and a few plain `Error`s
// carry only a code. So: the name first, then the code.
import { formatAddress, ipFamily, SocketError } from "@omnisock/core";
import type { Address, SocketAddress, SocketErrorCode } from "@omnisock/core";
import { inetAddress } from "./address.js";

/** `Deno.errors.*` names, and DOMException names, → omnisock's stable code. */
const names: Readonly<Record<string, SocketErrorCode>> = {
  ConnectionRefused: "ECONNREFUSED",
  ConnectionReset: "ECONNRESET",
  ConnectionAborted: "ECONNRESET",
  TimedOut: "ETIMEDOUT",
  AddrInUse: "EADDRINUSE",
  AddrNotAvailable: "EADDRNOTAVAIL",
  // A missing --allow-net / --allow-read / --allow-write: the message names the flag.
  NotCapable: "EACCES",
  PermissionDenied: "EACCES",
  BrokenPipe: "EPIPE",
  NetworkUnreachable: "ENETUNREACH",
  NotSupported: "ENOTSUP",
  // The resource is gone: closed while an operation was pending.
  BadResource: "ECLOSED",
  Interrupted: "ECLOSED",
  NotConnected: "ECLOSED",
  AbortError: "EABORTED",
  TimeoutError: "ETIMEDOUT",
};

/** Node's codes, which Deno's OS errors and its node:dns errors carry. */
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
  EAI_NONAME: "ENOTFOUND",
  EAI_NODATA: "ENOTFOUND",
  EAI_AGAIN: "ENOTFOUND",
  EAI_FAIL: "ENOTFOUND",
  EHOSTUNREACH: "EHOSTUNREACH",
  ENETUNREACH: "ENETUNREACH",
  EPIPE: "EPIPE",
  EMSGSIZE: "EMSGSIZE",
};

// Deno.connect and DatagramConn.send resolve names themselves and fail with a plain Error
// that has neither a class nor a code, only getaddrinfo's text.
const lookupFailure = /failed to lookup address information/i;

export interface ErrorContext {
  /** What was attempted: `connect`, `listen`, `bind`, `send`, `lookup`, … */
  readonly syscall: string;
  /** The address involved, as the user gave it or as the socket has it. */
  readonly address?: Address | SocketAddress | undefined;
  /** Said instead when there is no address: the name being looked up, … */
  readonly name?: string | undefined;
}

export function toSocketError(native: unknown, context: ErrorContext): SocketError {
  if (native instanceof SocketError) return native;
  const { name, code, message } = fields(native);
  const known = (name !== undefined && names[name]) || (code !== undefined && codes[code]);
  const kind = name !== undefined && name !== "Error" ? name : code;
  const result: SocketErrorCode =
    // NotFound (ENOENT) on connect: no socket file at that path, so nothing listens there.
    kind === "NotFound" && context.syscall === "connect"
      ? "ECONNREFUSED"
      : known || (message !== undefined && lookupFailure.test(message) ? "ENOTFOUND" : "EIO");
  const where = context.address
    ? ` ${formatAddress(context.address)}`
    : context.name !== undefined
      ? ` ${context.name}`
      : "";
  // Deno's message says which flag a missing permission needs ("run again with the
  // --allow-net flag"): it is kept, as it is what the user must act on. Its node:dns says
  // only "getaddrinfo EPERM", so the flag is named here.
  const detail =
    result !== "EACCES" || message === undefined
      ? kind !== undefined && kind !== result
        ? ` (${kind})`
        : ""
      : context.syscall === "lookup" && code === "EPERM"
        ? ` (${message}: run again with the --allow-net flag)`
        : ` (${message})`;
  return new SocketError(result, `${context.syscall}${where} failed${detail}`, {
    syscall: context.syscall,
    address: reported(context.address),
    cause: native,
  });
}

function fields(native: unknown): { name?: string; code?: string; message?: string } {
  if (typeof native !== "object" || native === null) return {};
  const { name, code, message } = native as { name?: unknown; code?: unknown; message?: unknown };
  return {
    ...(typeof name === "string" ? { name } : {}),
    ...(typeof code === "string" ? { code } : {}),
    ...(typeof message === "string" ? { message } : {}),
  };
}

/**
 * `SocketError.address` holds a resolved address only: a name still to resolve is left out
 * (Deno's errors do not say which address it tried).
 */
function reported(address: Address | SocketAddress | undefined): SocketAddress | undefined {
  if (address === undefined || address.transport === "unix") return address;
  if (address.family !== undefined) return { ...address, family: address.family };
  return ipFamily(address.hostname)
    ? inetAddress(address.transport, address.hostname, address.port)
    : undefined;
}
