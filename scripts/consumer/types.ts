// What a TypeScript user writes against the installed packages: every entry point, with its
// types. scripts/test-packages.mjs compiles it under `module: nodenext` and under
// `moduleResolution: bundler`, strict and without skipLibCheck, so the shipped declarations
// are checked too. Never run.
import * as core from "@omnisock/core";
import type { Driver } from "@omnisock/core/driver";
import * as bunDriver from "@omnisock/bun";
import * as denoDriver from "@omnisock/deno";
import * as nodeDriver from "@omnisock/node";
import { type LoadReport, runLoad } from "@omnisock/echo-client";
import {
  bind,
  capabilities,
  type ConnectOptions,
  connect,
  type DatagramSocket,
  delimited,
  formatAddress,
  lengthPrefixed,
  lines,
  listen,
  lookup,
  type MonitorEvent,
  monitor,
  parseAddress,
  probe,
  runtime,
  type Server,
  type Socket,
  type SocketAddress,
  SocketError,
} from "omnisock";
import { createConnection, type Socket as NetSocket, startTls } from "omnisock/net";
import { connect as connectWinterTC } from "omnisock/sockets";

export async function exchange(target: string, options: ConnectOptions): Promise<string[]> {
  const socket: Socket = await connect(target, options);
  socket.write(lines().encode("PING"));
  const replies: string[] = [];
  for await (const line of lines().decode(socket)) {
    replies.push(line);
    if (line === "PONG") break;
  }
  await socket.close();
  return replies;
}

export async function serve(): Promise<Server> {
  const codec = lengthPrefixed({ width: 2 });
  return listen({ hostname: "127.0.0.1", port: 0 }, async (socket) => {
    for await (const message of codec.decode(socket)) socket.write(codec.encode(message));
  });
}

export async function datagram(): Promise<DatagramSocket | undefined> {
  if (!capabilities.udp) return undefined;
  const socket = await bind({ hostname: "127.0.0.1", port: 0 });
  const target = parseAddress("udp://127.0.0.1:7");
  if (target.transport === "udp")
    await socket.send(delimited("\0").encode(new Uint8Array(1)), target);
  return socket;
}

export async function inspect(): Promise<string[]> {
  const [first]: SocketAddress[] = await lookup("localhost", { family: 4 });
  const answer = await probe("127.0.0.1:1", { timeout: 1_000 });
  const stop = monitor.subscribe((event: MonitorEvent) => void event.type);
  stop();
  return [
    runtime,
    first ? formatAddress(first) : "",
    answer.ok ? `${answer.rtt} ms` : answer.code,
    ...monitor.sockets().map((entry) => `${entry.id} ${entry.state}`),
  ];
}

export function isRefused(error: unknown): boolean {
  return error instanceof SocketError && error.code === "ECONNREFUSED";
}

export function node(): NetSocket {
  const socket = createConnection({ host: "127.0.0.1", port: 5432 });
  return startTls({ socket, servername: "db.example.com" });
}

export async function winterTC(): Promise<string> {
  const socket = connectWinterTC("127.0.0.1:5432", { secureTransport: "starttls" });
  const { remoteAddress } = await socket.opened;
  return remoteAddress;
}

export const drivers: readonly (typeof nodeDriver.runtime)[] = [
  nodeDriver.runtime,
  bunDriver.runtime,
  denoDriver.runtime,
];
export const parse: typeof core.parseAddress = core.parseAddress;
export type DriverRuntime = Driver["runtime"];
export const load: (target: string) => Promise<LoadReport> = (target) =>
  runLoad({ target, connections: 1, messages: 1, size: 1 });
