import { type Address, inetAddress, type SocketAddress } from "./address.js";
import { formatAddress, ipFamily } from "./parse-address.js";

/**
 * The stable codes a {@link SocketError} carries; the same failure gives the same code on
 * every runtime.
 *
 * - `ECONNREFUSED`: nothing listens there (for a Unix path, also: no such socket file).
 * - `ECONNRESET`: the peer reset or aborted the connection.
 * - `ETIMEDOUT`: `connect`'s `timeout`, a socket's idle timeout, or the system, gave up.
 * - `EADDRINUSE`: another socket has the address (`listen`, `bind`).
 * - `EADDRNOTAVAIL`: the address is not one of this host's (`listen`, `bind`,
 *   `localAddress`, a multicast interface).
 * - `EACCES`: not permitted (a privileged port, a socket file's permissions, a firewall).
 * - `ENOTFOUND`: the host name does not resolve (or not to the family asked for).
 * - `EHOSTUNREACH`, `ENETUNREACH`: no route to the host or network.
 * - `EPIPE`: writing to a connection the peer has closed.
 * - `EMSGSIZE`: a datagram over the UDP limit, or a framed message over `maxMessageSize`.
 * - `ENOTSUP`: the runtime cannot honour the option or call (see {@link Capabilities}).
 * - `ECLOSED`: the socket is closed (for writing): a write after `end()`, a send after
 *   `close()`.
 * - `EABORTED`: the `signal` given to `connect`, `listen` or `bind` aborted.
 * - `ETLS`: a TLS handshake or certificate verification failed, or `startTls` refused
 *   unread plaintext.
 * - `EIO`: any other failure; the runtime's own error is the `cause`.
 */
export type SocketErrorCode =
  | "ECONNREFUSED"
  | "ECONNRESET"
  | "ETIMEDOUT"
  | "EADDRINUSE"
  | "EADDRNOTAVAIL"
  | "EACCES"
  | "ENOTFOUND"
  | "EHOSTUNREACH"
  | "ENETUNREACH"
  | "EPIPE"
  | "EMSGSIZE"
  | "ENOTSUP"
  | "ECLOSED"
  | "EABORTED"
  | "ETLS"
  | "EIO";

/** What a {@link SocketError} says besides its code and message. */
export interface SocketErrorOptions {
  /**
   * The operation that failed: `connect`, `listen`, `bind`, `write`, `read`, `send`, `lookup`, …
   * @default undefined
   */
  syscall?: string;
  /**
   * The address involved, when there is one.
   * @default undefined
   */
  address?: SocketAddress | undefined;
  /**
   * The runtime's own error, kept untouched.
   * @default undefined (no `cause`)
   */
  cause?: unknown;
}

const brand = Symbol.for("omnisock.SocketError");

/**
 * The one error type for network failures. Tell failures apart by `code`, never by message.
 * Bad arguments are a `TypeError` or `RangeError` instead, thrown before any I/O.
 *
 * `instanceof SocketError` holds across two installed copies of `@omnisock/core`: the check
 * looks for a registry-wide symbol, not for this class.
 */
export class SocketError extends Error {
  /** Always `"SocketError"`. */
  override readonly name = "SocketError";
  /** What failed, the same on every runtime. */
  readonly code: SocketErrorCode;
  /**
   * The operation that failed: `connect`, `listen`, `bind`, `lookup`, `write`, `send`,
   * `startTls`, `idle`, `decode`, … or, for `ENOTSUP`, the option or call refused.
   */
  readonly syscall: string | undefined;
  /**
   * The address involved, once resolved: the peer for a connection, the local address for
   * `listen` and `bind`; `undefined` when there is none (or a name that never resolved).
   */
  readonly address: SocketAddress | undefined;

  /**
   * A SocketError as omnisock makes them: for drivers, and for tests that stand in for one.
   *
   * @param code The stable code.
   * @param message What failed; the error's `message` is it prefixed with `"<code>: "`.
   * @param options The syscall, the address and the runtime's own error (`cause`).
   */
  constructor(code: SocketErrorCode, message: string, options: SocketErrorOptions = {}) {
    super(
      `${code}: ${message}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.syscall = options.syscall;
    this.address = options.address;
    Object.defineProperty(this, brand, { value: true });
  }

  /** Whether `instance` is a SocketError from any copy of `@omnisock/core`. */
  static override [Symbol.hasInstance](instance: unknown): boolean {
    return typeof instance === "object" && instance !== null && brand in instance;
  }
}

/** The `ENOTSUP` answer for an option or call a runtime cannot honour; names both. */
export function notSupported(what: string, runtime: string, why?: string): SocketError {
  return new SocketError(
    "ENOTSUP",
    `${what} is not supported on ${runtime}${why ? ` (${why})` : ""}`,
    { syscall: what },
  );
}

/** What a driver's `toSocketError` is told besides the runtime's error. */
export interface ErrorContext {
  /** What was attempted: `connect`, `listen`, `bind`, `send`, `lookup`, … */
  readonly syscall: string;
  /** The address involved, as the user gave it or as the socket has it. */
  readonly address?: Address | SocketAddress | undefined;
  /** Said instead when there is no address: the name being looked up, `fd 3`, … */
  readonly name?: string | undefined;
}

/**
 * The codes every runtime's errors share → omnisock's stable code. Node's system errors carry
 * POSIX and getaddrinfo codes as libuv spells them, and Bun's socket errors and Deno's OS and
 * node:dns errors carry the same; an aborted or timed-out `AbortSignal` throws a DOMException
 * whose `name` says which. A runtime's own codes stay in its driver.
 */
const systemCodes: Readonly<Record<string, SocketErrorCode>> = {
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
  AbortError: "EABORTED",
  TimeoutError: "ETIMEDOUT",
};

/**
 * A runtime error's own word for what failed: its `code` (`ECONNREFUSED`, `ERR_SOCKET_CLOSED`,
 * …), or, when it has none, its `name` if that is a shared one (`AbortError`, `TimeoutError`).
 */
export function nativeCode(native: unknown): string | undefined {
  if (typeof native !== "object" || native === null) return undefined;
  const { code, name } = native as { code?: unknown; name?: unknown };
  if (typeof code === "string") return code;
  return typeof name === "string" && Object.hasOwn(systemCodes, name) ? name : undefined;
}

/**
 * omnisock's stable code for a code every runtime shares, or `undefined` for any other: the
 * driver then tries its own, and says `EIO` when it has none.
 */
export function systemErrorCode(
  code: string | undefined,
  syscall: string,
): SocketErrorCode | undefined {
  // ENOENT on connect: no socket file at that path, so nothing listens there.
  if (code === "ENOENT" && syscall === "connect") return "ECONNREFUSED";
  return code !== undefined && Object.hasOwn(systemCodes, code) ? systemCodes[code] : undefined;
}

/** What the runtime says about a failure, beyond its error. */
export interface NativeDetail {
  /**
   * Its own word for the failure (`EAI_AGAIN`, `ConnectionRefused`, a permission message),
   * said in brackets after the message unless it is the stable code itself.
   */
  readonly said?: string | undefined;
  /** The IP it tried, when its error says: reported when `context.address` is a name. */
  readonly tried?: string | undefined;
}

/**
 * The SocketError for a runtime's failure, as every driver's `toSocketError` builds it: the
 * message is `<syscall> <address or name> failed (<what the runtime said>)`, the address is
 * reported only once resolved, and the runtime's error is the `cause`.
 */
export function systemError(
  code: SocketErrorCode,
  native: unknown,
  context: ErrorContext,
  detail: NativeDetail = {},
): SocketError {
  const where = context.address
    ? ` ${formatAddress(context.address)}`
    : context.name !== undefined
      ? ` ${context.name}`
      : "";
  const said = detail.said !== undefined && detail.said !== code ? ` (${detail.said})` : "";
  return new SocketError(code, `${context.syscall}${where} failed${said}`, {
    syscall: context.syscall,
    address: resolvedAddress(context.address, detail.tried),
    cause: native,
  });
}

/**
 * `SocketError.address` holds a resolved address only. A name still to resolve is replaced by
 * the IP the runtime tried when it says, and is left out when it does not.
 */
function resolvedAddress(
  address: Address | SocketAddress | undefined,
  tried: string | undefined,
): SocketAddress | undefined {
  if (address === undefined || address.transport === "unix") return address;
  if (address.family !== undefined) return { ...address, family: address.family };
  const hostname = ipFamily(address.hostname) ? address.hostname : tried;
  return hostname !== undefined && ipFamily(hostname)
    ? inetAddress(address.transport, hostname, address.port)
    : undefined;
}

/**
 * Why a TLS handshake or verification failed, when `native` says it did: Node's and Bun's
 * ERR_TLS_* / ERR_SSL_* codes, OpenSSL's verification codes
 * (https://nodejs.org/api/tls.html#x509-certificate-error-codes), and a peer's TLS alert that a
 * runtime reports as EPROTO. The code alone says little: the runtime's message goes with it.
 */
export function tlsFailure(native: unknown): string | undefined {
  const code = nativeCode(native);
  const message = native instanceof Error ? native.message : "";
  const tls =
    code !== undefined &&
    (/^ERR_(TLS|SSL)_/.test(code) ||
      /^(UNABLE_TO_|CERT_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|INVALID_CA|PATH_LENGTH_|INVALID_PURPOSE)/.test(
        code,
      ) ||
      (code === "EPROTO" && /SSL routines|alert/i.test(message)));
  if (!tls) return undefined;
  return message === "" ? code : `${code}: ${message.trim()}`;
}
