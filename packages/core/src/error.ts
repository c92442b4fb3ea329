import type { SocketAddress } from "./address.js";

/** The stable codes a {@link SocketError} carries; the same failure gives the same code on every runtime. */
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
  /** Any other failure; the runtime's own error is the `cause`. */
  | "EIO";

export interface SocketErrorOptions {
  /** The operation that failed: `connect`, `listen`, `bind`, `write`, `read`, `send`, `lookup`, … */
  syscall?: string;
  /** The address involved, when there is one. */
  address?: SocketAddress | undefined;
  /** The runtime's own error, kept untouched. */
  cause?: unknown;
}

const brand = Symbol.for("omnisock.SocketError");

/**
 * The one error type for network failures. Tell failures apart by `code`, never by message.
 *
 * `instanceof SocketError` holds across two installed copies of `@omnisock/core`: the check
 * looks for a registry-wide symbol, not for this class.
 */
export class SocketError extends Error {
  override readonly name = "SocketError";
  readonly code: SocketErrorCode;
  readonly syscall: string | undefined;
  readonly address: SocketAddress | undefined;

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
