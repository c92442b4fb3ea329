// `connect()`'s arguments as node:net reads them: `(options[, listener])`, `(path[, listener])`
// and `(port[, host][, listener])`, checked with node's rules and error codes before any I/O.
import { badPort, invalidArgType, missingArgs, outOfRange } from "./errors.js";

/** `connect()` to a TCP port. */
export interface TcpSocketConnectOpts {
  /** The port: a number or a numeric string, from 0 to 65535 (`ERR_SOCKET_BAD_PORT` otherwise). */
  port: number | string;
  /** The host: a name or an IP address; `""` and `null` count as none, as in node:net. @default "localhost" */
  host?: string;
  /** Resolve `host` to this IP family only; `0` means either. @default 0 */
  family?: 0 | 4 | 6;
  /**
   * The local IP address to connect from.
   *
   * **Note:** `ENOTSUP` where the runtime cannot choose it (omnisock's
   * `capabilities.connectLocalAddress`; Deno).
   * @default undefined (the system's choice)
   */
  localAddress?: string;
  /** Call `setTimeout(timeout)` as the connection starts. @default undefined (none) */
  timeout?: number;
  /**
   * Call `setNoDelay(noDelay)` once connected.
   * @default the Socket's `noDelay`: `true` (node:net's is `false`)
   */
  noDelay?: boolean;
  /** Call `setKeepAlive(true, keepAliveInitialDelay)` once connected. @default false */
  keepAlive?: boolean;
  /** Keepalive's first probe after this many milliseconds of silence; `0`: the system's. @default 0 */
  keepAliveInitialDelay?: number;
}

/** `connect()` to a Unix-domain socket. */
export interface IpcSocketConnectOpts {
  /**
   * The socket's path, or `@name` for a Linux abstract name as omnisock writes it: node:net's
   * `"\0name"` is refused (the `'error'` event carries omnisock's TypeError).
   */
  path: string;
  /** Call `setTimeout(timeout)` as the connection starts. @default undefined (none) */
  timeout?: number;
}

/** Where `connect()` goes: a TCP port or a Unix path. */
export type SocketConnectOpts = TcpSocketConnectOpts | IpcSocketConnectOpts;

/** Added as a `'connect'` listener by `connect()` and `createConnection()`. */
export type ConnectionListener = () => void;

/** What `connect()` was asked, checked. */
export type ConnectRequest =
  | { readonly path: string; readonly timeout: number | undefined }
  | {
      readonly host: string;
      readonly port: number;
      readonly family: 4 | 6 | undefined;
      readonly localAddress: string | undefined;
      readonly timeout: number | undefined;
      readonly noDelay: boolean | undefined;
      readonly keepAlive: boolean;
      readonly keepAliveInitialDelay: number;
    };

/** node:net's `isPipeName`: a string that is not a number names a Unix socket. */
function isPath(value: unknown): value is string {
  return typeof value === "string" && !(Number(value) >= 0);
}

/** Split `connect()`'s arguments into the request and the listener, as node:net does. */
export function connectArguments(
  args: readonly unknown[],
): [SocketConnectOpts | Record<string, unknown>, ConnectionListener | undefined] {
  const [first, second] = args;
  const last = args.at(-1);
  const listener = typeof last === "function" ? (last as ConnectionListener) : undefined;
  if (typeof first === "object" && first !== null) {
    return [first as Record<string, unknown>, listener];
  }
  if (isPath(first)) return [{ path: first }, listener];
  return [typeof second === "string" ? { port: first, host: second } : { port: first }, listener];
}

/** node's validatePort: a number or numeric string from 0 to 65535. */
function checkPort(value: unknown): number {
  if (typeof value !== "number" && typeof value !== "string") {
    throw invalidArgType("options.port", "of type number or string", value);
  }
  const port = Number(value);
  if ((typeof value === "string" && value.trim() === "") || port !== port >>> 0 || port > 65535) {
    throw badPort("Port", value);
  }
  return port;
}

/** A delay in milliseconds as node's timers take it: a finite number from 0. */
export function checkDelay(name: string, value: unknown): number {
  if (typeof value !== "number") throw invalidArgType(name, "of type number", value);
  if (!(value >= 0) || value === Infinity) throw outOfRange(name, ">= 0 and finite", value);
  return value;
}

function optional<T>(
  raw: Record<string, unknown>,
  key: string,
  check: (value: unknown) => T,
): T | undefined {
  const value = raw[key];
  return value === undefined ? undefined : check(value);
}

function checkString(name: string) {
  return (value: unknown) => {
    if (typeof value !== "string") throw invalidArgType(name, "of type string", value);
    return value;
  };
}

function checkFamily(value: unknown): 4 | 6 | undefined {
  if (value === 0) return undefined;
  if (value === 4 || value === 6) return value;
  throw invalidArgType("options.family", "one of 0, 4 or 6", value);
}

/** Check a request the way node:net does, before any I/O. */
export function connectRequest(options: Record<string, unknown>): ConnectRequest {
  const timeout = optional(options, "timeout", (value) => checkDelay("options.timeout", value));
  if (options.path !== undefined && options.path !== null) {
    return { path: checkString("options.path")(options.path), timeout };
  }
  if (options.port === undefined) throw missingArgs();
  const port = checkPort(options.port);
  // node:net's default when no host is given; "" and null count as none there too.
  const host =
    options.host === undefined || options.host === null || options.host === ""
      ? "localhost"
      : checkString("options.host")(options.host);
  const noDelay = optional(options, "noDelay", Boolean);
  const delay = optional(options, "keepAliveInitialDelay", (value) =>
    checkDelay("options.keepAliveInitialDelay", value),
  );
  return {
    host,
    port,
    family: optional(options, "family", checkFamily),
    localAddress: optional(options, "localAddress", checkString("options.localAddress")),
    timeout,
    noDelay,
    keepAlive: Boolean(options.keepAlive),
    keepAliveInitialDelay: delay ?? 0,
  };
}
