// The one place where Node's errors become SocketErrors.
// https://nodejs.org/api/errors.html#common-system-errors
import { nativeCode, SocketError, systemError, systemErrorCode } from "@omnisock/core/driver";
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
  if (isTlsFailure(said)) {
    // The reason is OpenSSL's or Node's message ("certificate has expired", "Hostname/IP does
    // not match certificate's altnames: …"): the code alone says little.
    const reason = native instanceof Error ? `${said}: ${native.message}` : said;
    return systemError("ETLS", native, context, { said: reason, tried: triedAddress(native) });
  }
  const code = codes[said ?? ""] ?? systemErrorCode(said, context.syscall) ?? "EIO";
  return systemError(code, native, context, { said, tried: triedAddress(native) });
}

/**
 * A failed handshake or verification: Node's ERR_TLS_* and ERR_SSL_* codes, and OpenSSL's
 * verification codes (https://nodejs.org/api/tls.html#x509-certificate-error-codes).
 */
function isTlsFailure(code: string | undefined): code is string {
  return (
    code !== undefined &&
    (code.startsWith("ERR_TLS_") ||
      code.startsWith("ERR_SSL_") ||
      /^(UNABLE_TO_|CERT_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|INVALID_CA|PATH_LENGTH_|INVALID_PURPOSE|CERT_UNTRUSTED|CERT_REJECTED)/.test(
        code,
      ))
  );
}

/** A failed connect's error says which IP Node tried, when the user gave a name. */
function triedAddress(native: unknown): string | undefined {
  const { address }: { address?: unknown } =
    typeof native === "object" && native !== null ? native : {};
  return typeof address === "string" ? address : undefined;
}
