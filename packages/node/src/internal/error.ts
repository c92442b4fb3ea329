// The one place where Node's errors become SocketErrors.
// https://nodejs.org/api/errors.html#common-system-errors
import {
  nativeCode,
  SocketError,
  systemError,
  systemErrorCode,
  tlsFailure,
} from "@omnisock/core/driver";
import type { ErrorContext, SocketErrorCode } from "@omnisock/core/driver";

/** Node's own codes → omnisock's stable code; the system codes every runtime shares are core's. */
const codes: Readonly<Record<string, SocketErrorCode>> = {
  ERR_SOCKET_DGRAM_NOT_RUNNING: "ECLOSED",
  ERR_SOCKET_CLOSED: "ECLOSED",
  ERR_STREAM_DESTROYED: "ECLOSED",
};

export function toSocketError(native: unknown, context: ErrorContext): SocketError {
  if (native instanceof SocketError) return native;
  const said = nativeCode(native);
  const reason = tlsFailure(native);
  if (reason)
    return systemError("ETLS", native, context, { said: reason, tried: triedAddress(native) });
  // A write into a connection the peer has reset fails with EPIPE once the kernel has seen the
  // RST: the same fault as ECONNRESET, which is what the other runtimes (and reads) report.
  const code =
    said === "EPIPE" && context.syscall === "write"
      ? "ECONNRESET"
      : (codes[said ?? ""] ?? systemErrorCode(said, context.syscall) ?? "EIO");
  return systemError(code, native, context, { said, tried: triedAddress(native) });
}

/** A failed connect's error says which IP Node tried, when the user gave a name. */
function triedAddress(native: unknown): string | undefined {
  const { address }: { address?: unknown } =
    typeof native === "object" && native !== null ? native : {};
  return typeof address === "string" ? address : undefined;
}
