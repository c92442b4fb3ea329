// The one place where Bun's errors become SocketErrors. Bun's socket errors carry Node's
// `code` (ECONNREFUSED, …), which core maps; Bun.dns's carry `DNS_`-prefixed ones
// (DNS_ENOTFOUND, …), which are mapped here.
import {
  nativeCode,
  SocketError,
  systemError,
  systemErrorCode,
  tlsFailure,
} from "@omnisock/core/driver";
import type { ErrorContext, SocketErrorCode } from "@omnisock/core/driver";

/** Bun's own codes → omnisock's stable code; the system codes every runtime shares are core's. */
const codes: Readonly<Record<string, SocketErrorCode>> = {
  DNS_ENOTFOUND: "ENOTFOUND",
  DNS_ENODATA: "ENOTFOUND",
  DNS_ENONAME: "ENOTFOUND",
  DNS_ESERVFAIL: "ENOTFOUND",
  DNS_EREFUSED: "ENOTFOUND",
  // Asking for one family of an IP literal of the other ("::1" as IPv4): Node says ENOTFOUND.
  DNS_EBADFAMILY: "ENOTFOUND",
  DNS_ETIMEOUT: "ETIMEDOUT",
  // Bun's UDP setters on a closed socket reach setsockopt with a dead descriptor.
  EBADF: "ECLOSED",
};

/**
 * The driver resolves names itself (see lookup.ts) and reports the IP it tried in `context`,
 * so a name still in `context.address` is left out of the error.
 */
export function toSocketError(native: unknown, context: ErrorContext): SocketError {
  if (native instanceof SocketError) return native;
  const reason = tlsFailure(native);
  if (reason) return systemError("ETLS", native, context, { said: reason });
  const said = nativeCode(native);
  const code = codes[said ?? ""] ?? systemErrorCode(said, context.syscall) ?? "EIO";
  return systemError(code, native, context, { said });
}
