// Argument checks: each throws a TypeError (wrong type) or RangeError (out of range) naming
// the argument and the value it received, before any I/O; else it returns the value.
import type { Family } from "./address.js";
import { encoder } from "./internal/timer.js";
import { ipFamily, isHostName, isUnixPath } from "./parse-address.js";

/** The largest value setsockopt and setTimeout take: both are C ints. */
export const maxInt32 = 2_147_483_647;

/** A value as a message shows it after "Received": primitives as written, objects by class. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") return `function ${value.name || "(anonymous)"}`;
  if (typeof value === "object" && value !== null) {
    const name: unknown = Object.getPrototypeOf(value)?.constructor?.name;
    return typeof name === "string" && name !== "" ? `an instance of ${name}` : "an object";
  }
  return String(value);
}

export function typeError(name: string, expected: string, value: unknown): TypeError {
  return new TypeError(
    `The "${name}" argument must be ${expected}. Received ${describeValue(value)}`,
  );
}

// ---- checkers: each throws TypeError (wrong type) or RangeError (out of range), else returns the value ----

export function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number") throw typeError(name, "of type number", value);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(
      `The "${name}" argument must be an integer from ${min} to ${max}. Received ${describeValue(value)}`,
    );
  }
  return value;
}

export function checkPort(
  name: string,
  value: unknown,
  { allowZero = true }: { allowZero?: boolean } = {},
): number {
  return checkInteger(name, value, allowZero ? 0 : 1, 65535);
}

/** A delay or timeout in milliseconds: as setTimeout, at most 2^31 - 1. */
export function checkMilliseconds(name: string, value: unknown): number {
  return checkInteger(name, value, 0, maxInt32);
}

export function checkPositiveInteger(name: string, value: unknown, max = maxInt32): number {
  return checkInteger(name, value, 1, max);
}

export function checkTTL(name: string, value: unknown): number {
  return checkInteger(name, value, 1, 255);
}

export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw typeError(name, "of type boolean", value);
  return value;
}

export function checkFamily(name: string, value: unknown): 4 | 6 {
  if (value === 4 || value === 6) return value;
  const message = `The "${name}" argument must be 4 or 6. Received ${describeValue(value)}`;
  throw typeof value === "number" ? new RangeError(message) : new TypeError(message);
}

/** An IP literal (see {@link ipFamily}). */
export function checkIP(name: string, value: unknown): string {
  if (typeof value !== "string" || ipFamily(value) === undefined) {
    throw typeError(name, "an IP address", value);
  }
  return value;
}

/** An IP literal or a host name still to resolve; never empty. */
export function checkHostname(name: string, value: unknown): string {
  if (typeof value !== "string" || (ipFamily(value) === undefined && !isHostName(value))) {
    throw typeError(name, "an IP address or a host name", value);
  }
  return value;
}

/**
 * The most bytes of a Unix socket's name: Linux's `sun_path` holds 108, the last for a path's
 * terminating NUL, the first for an abstract name's leading NUL (written `@` here). A longer
 * name would be truncated (Node 20) or fail with a vague EINVAL after I/O began. macOS and
 * the BSDs allow 104; there the runtime refuses what lies between.
 */
export const UNIX_PATH_LIMIT = 107;

/** A Unix socket path, or `@name` for a Linux abstract name, that fits the kernel's limit. */
export function checkPath(name: string, value: unknown): string {
  if (typeof value !== "string" || !isUnixPath(value)) {
    throw typeError(name, "a Unix socket path or an @abstract name", value);
  }
  checkPathLength(name, value);
  return value;
}

/** See {@link UNIX_PATH_LIMIT}. */
export function checkPathLength(name: string, path: string): void {
  const bytes = encoder.encode(path.startsWith("@") ? path.slice(1) : path).byteLength;
  if (bytes > UNIX_PATH_LIMIT) {
    throw new RangeError(
      `The "${name}" argument must be a Unix socket name of at most ${UNIX_PATH_LIMIT} bytes (the kernel's limit). Received ${describeValue(path)} (${bytes} bytes)`,
    );
  }
}

/** Duck-typed, so that a polyfill or another realm's AbortSignal is accepted. */
export function checkSignal(name: string, value: unknown): AbortSignal {
  const candidate = value as Partial<AbortSignal> | null | undefined;
  if (
    typeof candidate !== "object" ||
    candidate === null ||
    typeof candidate.aborted !== "boolean" ||
    typeof candidate.addEventListener !== "function"
  ) {
    throw typeError(name, "an AbortSignal", value);
  }
  return value as AbortSignal;
}

export function checkData(name: string, value: unknown): Uint8Array | string {
  if (typeof value !== "string" && !(value instanceof Uint8Array)) {
    throw typeError(name, "a string or a Uint8Array", value);
  }
  return value;
}

/**
 * An options object: `undefined` is `{}`; a key not in `allowedKeys` is a TypeError, so
 * that a misspelt option is not silently ignored.
 */
export function checkOptionsObject(
  name: string,
  value: unknown,
  allowedKeys: readonly string[],
): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw typeError(name, "an object", value);
  }
  for (const key of Object.keys(value)) {
    if (allowedKeys.includes(key)) continue;
    const match = allowedKeys.find((allowed) => allowed.toLowerCase() === key.toLowerCase());
    const hint = match ? `did you mean "${match}"?` : `expected one of ${allowedKeys.join(", ")}`;
    throw new TypeError(`Unknown option "${key}" in ${name}; ${hint}`);
  }
  return value as Record<string, unknown>;
}

/**
 * The family of a target object's `hostname`. A `family` field is accepted only when it
 * agrees with an IP literal: it is there so that a reported `SocketAddress` can be passed
 * back as a target, not to choose a family for a name (that is `options.family`).
 */
export function checkTargetFamily(
  name: string,
  hostname: string,
  family: unknown,
): Family | undefined {
  const actual = ipFamily(hostname);
  if (family === undefined) return actual;
  if (family !== "IPv4" && family !== "IPv6")
    throw typeError(`${name}.family`, '"IPv4" or "IPv6"', family);
  if (actual !== family) {
    throw new TypeError(
      `The "${name}.family" field (${JSON.stringify(family)}) does not match "${name}.hostname" (${JSON.stringify(hostname)})`,
    );
  }
  return actual;
}
