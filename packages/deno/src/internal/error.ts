// The one place where Deno's errors become SocketErrors.
// https://docs.deno.com/api/deno/~/Deno.errors
// Deno throws a class per kind (`Deno.errors.ConnectionRefused`, …) whose `name` is the kind;
// OS errors also carry Node's `code` (ECONNREFUSED, EMSGSIZE, …), and a few plain `Error`s
// carry only a code. So: the name first, then the code, which core maps.
import { nativeCode, SocketError, systemError, systemErrorCode } from "@omnisock/core/driver";
import type { ErrorContext, SocketErrorCode } from "@omnisock/core/driver";

/** `Deno.errors.*` names → omnisock's stable code. */
const names: Readonly<Record<string, SocketErrorCode>> = {
  ConnectionRefused: "ECONNREFUSED",
  ConnectionReset: "ECONNRESET",
  ConnectionAborted: "ECONNRESET",
  // The peer hung up where the protocol needed more (mid-handshake): what Node and Bun call a reset.
  UnexpectedEof: "ECONNRESET",
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
};

// Deno.connect and DatagramConn.send resolve names themselves and fail with a plain Error
// that has neither a class nor a code, only getaddrinfo's text.
const lookupFailure = /failed to lookup address information/i;

// rustls's verdicts ("invalid peer certificate: UnknownIssuer", "received fatal alert: …",
// "corrupt message", "peer is incompatible") come as InvalidData or a plain Error.
const tlsFailure =
  /peer certificate|fatal alert|corrupt message|peer is incompatible|tls handshake|InvalidContentType|received unexpected message|NotValidForName|CertExpired|CertNotValidYet/i;

export function toSocketError(native: unknown, context: ErrorContext): SocketError {
  if (native instanceof SocketError) return native;
  const { name, code, message } = fields(native);
  if (message !== undefined && tlsFailure.test(message)) {
    return systemError("ETLS", native, context, { said: `${name ?? "Error"}: ${message}` });
  }
  // NotFound is Deno's ENOENT, which core reads as ECONNREFUSED on connect.
  const sharedCode = name === "NotFound" ? "ENOENT" : nativeCode(native);
  const found: SocketErrorCode =
    names[name ?? ""] ??
    systemErrorCode(sharedCode, context.syscall) ??
    (message !== undefined && lookupFailure.test(message) ? "ENOTFOUND" : "EIO");
  // A write into a connection the peer has reset fails with EPIPE once the kernel has seen the
  // RST: the same fault as ECONNRESET, which is what the other runtimes (and reads) report.
  const result = found === "EPIPE" && context.syscall === "write" ? "ECONNRESET" : found;
  const kind = name !== undefined && name !== "Error" ? name : code;
  // Deno's message says which flag a missing permission needs ("run again with the
  // --allow-net flag"): it is kept, as it is what the user must act on. Its node:dns says
  // only "getaddrinfo EPERM", so the flag is named here.
  const said =
    result !== "EACCES" || message === undefined
      ? kind
      : context.syscall === "lookup" && code === "EPERM"
        ? `${message}: run again with the --allow-net flag`
        : message;
  // Deno's errors do not say which IP it tried, so a name in `context.address` is left out.
  return systemError(result, native, context, { said });
}

/**
 * A TLS peer closed the TCP connection without close_notify: rustls reports the truncation as
 * UnexpectedEof (https://docs.rs/rustls/latest/rustls/struct.Reader.html#method.read).
 */
export function isTruncation(native: unknown): boolean {
  return fields(native).name === "UnexpectedEof";
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
