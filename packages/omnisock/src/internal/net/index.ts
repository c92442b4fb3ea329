// `omnisock/net`: node:net's client API over omnisock's engine.
import { ipFamily } from "@omnisock/core/driver";
import {
  type ConnectionListener,
  connectArguments,
  type IpcSocketConnectOpts,
  type SocketConnectOpts,
  type TcpSocketConnectOpts,
} from "./args.js";
import { type AddressInfo, Socket, type SocketConstructorOpts } from "./socket.js";
import { type StartTlsOptions, startTls, TLSSocket } from "./tls.js";

/** `createConnection()`'s options: where to connect, and the new Socket's own options. */
export type NetConnectOpts = SocketConnectOpts & SocketConstructorOpts;

/**
 * Make a Socket and connect it: `createConnection(port[, host][, listener])`,
 * `createConnection(path[, listener])` or `createConnection(options[, listener])`.
 */
function createConnection(options: NetConnectOpts, connectionListener?: ConnectionListener): Socket;
function createConnection(
  port: number,
  host?: string,
  connectionListener?: ConnectionListener,
): Socket;
function createConnection(path: string, connectionListener?: ConnectionListener): Socket;
function createConnection(...args: unknown[]): Socket {
  const [options] = connectArguments(args);
  const socket = new Socket(options as SocketConstructorOpts);
  return (socket.connect as (...args: unknown[]) => Socket)(...args);
}

/** `4` for an IPv4 address, `6` for IPv6, `0` for anything else, as node:net answers. */
export function isIP(input: unknown): 0 | 4 | 6 {
  const family = ipFamily(String(input));
  return family === "IPv4" ? 4 : family === "IPv6" ? 6 : 0;
}

/** Whether `input` is an IPv4 address (a strict dotted quad). */
export function isIPv4(input: unknown): boolean {
  return isIP(input) === 4;
}

/** Whether `input` is an IPv6 address. */
export function isIPv6(input: unknown): boolean {
  return isIP(input) === 6;
}

export {
  createConnection,
  createConnection as connect,
  Socket,
  startTls,
  TLSSocket,
  type AddressInfo,
  type ConnectionListener,
  type IpcSocketConnectOpts,
  type SocketConnectOpts,
  type SocketConstructorOpts,
  type StartTlsOptions,
  type TcpSocketConnectOpts,
};
