// The part of Deno's API this driver uses, declared here because @types/deno is not a
// dependency (its globals clash with @types/node and @types/bun). Each shape was checked
// against Deno 2.9.6; https://docs.deno.com/api/deno/network describes the rest.
//
// This is also the first module to touch `Deno`, so the wrong-runtime check lives here:
// every other module of the driver imports this one, and so runs after it.
if (!("Deno" in globalThis)) {
  const runtime = "Bun" in globalThis ? "Bun" : "Node.js";
  throw new Error(
    `[omnisock] @omnisock/deno needs Deno, but this is ${runtime}: import "omnisock" (or @omnisock/${runtime === "Bun" ? "bun" : "node"}) instead.`,
  );
}

export interface NetAddr {
  readonly transport: "tcp" | "udp";
  readonly hostname: string;
  readonly port: number;
}

export interface UnixAddr {
  readonly transport: "unix";
  /** `null` for the unnamed side (a client that did not bind); a leading NUL for an abstract name. */
  readonly path: string | null;
}

export interface Conn {
  readonly localAddr: NetAddr | UnixAddr;
  readonly remoteAddr: NetAddr | UnixAddr;
  /** Bytes read into `buffer`, or `null` at EOF. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Bytes written, possibly fewer than `data.length`. */
  write(data: Uint8Array): Promise<number>;
  /** shutdown(SHUT_WR). */
  closeWrite(): Promise<void>;
  /** Throws `BadResource` when already closed. */
  close(): void;
  ref(): void;
  unref(): void;
  /** TCP only; absent on a Unix connection. */
  setNoDelay?(noDelay: boolean): void;
  /** TCP only. SO_KEEPALIVE on or off: the delay cannot be set. */
  setKeepAlive?(keepAlive: boolean): void;
}

export interface Listener {
  readonly addr: NetAddr | UnixAddr;
  /** Rejects once the listener is closed; the socket is released only after that. */
  accept(): Promise<Conn>;
  close(): void;
  ref(): void;
  unref(): void;
}

/** `setTTL` exists on an IPv4 membership only. */
export interface MulticastMembership {
  leave(): Promise<void>;
}

export interface DatagramConn {
  readonly addr: NetAddr;
  /** With a buffer, the datagram is a view of it (a new `Uint8Array` over the same memory). */
  receive(buffer: Uint8Array): Promise<[Uint8Array, NetAddr]>;
  send(data: Uint8Array, to: NetAddr): Promise<number>;
  joinMulticastV4(group: string, iface: string): Promise<MulticastMembership>;
  joinMulticastV6(group: string, ifaceIndex: number): Promise<MulticastMembership>;
  close(): void;
  ref(): void;
  unref(): void;
}

export interface NetworkInterface {
  readonly family: "IPv4" | "IPv6";
  readonly address: string;
  readonly netmask: string;
  readonly scopeid: number | null;
}

/** A TLS connection: the handshake runs on first use, or when asked. */
export interface TlsConn extends Conn {
  handshake(): Promise<{ alpnProtocol: string | null }>;
}

interface Deno {
  /** Consumes `conn`; fails if a read on it is pending. */
  startTls(
    conn: Conn,
    options: { hostname: string; caCerts?: string[]; alpnProtocols?: string[] },
  ): Promise<TlsConn>;
  listenTls(options: {
    transport: "tcp";
    hostname: string;
    port: number;
    cert: string;
    key: string;
    alpnProtocols?: string[];
    tcpBacklog?: number;
    reusePort?: boolean;
  }): Listener;
  connect(
    options:
      | {
          transport: "tcp";
          hostname: string;
          port: number;
          signal?: AbortSignal;
        }
      | { transport: "unix"; path: string },
  ): Promise<Conn>;
  listen(
    options:
      | {
          transport: "tcp";
          hostname: string;
          port: number;
          tcpBacklog: number;
          reusePort?: boolean;
        }
      | { transport: "unix"; path: string },
  ): Listener;
  /** Only with `--unstable-net`; `undefined` without it. */
  listenDatagram?(options: {
    transport: "udp";
    hostname: string;
    port: number;
    reuseAddress: boolean;
    loopback: boolean;
  }): DatagramConn;
  networkInterfaces(): NetworkInterface[];
  permissions: {
    querySync(descriptor: { name: "sys"; kind: "networkInterfaces" }): { state: string };
  };
  build: { os: string };
}

export const deno = (globalThis as unknown as { Deno: Deno }).Deno;

/** `--unstable-net` is on: it brings `Deno.listenDatagram` and `reusePort` on listeners. */
export const unstableNet = typeof deno.listenDatagram === "function";

interface NodeDns {
  promises: {
    lookup(
      hostname: string,
      options: { all: true; family: 0 | 4 | 6; order: "verbatim" },
    ): Promise<{ address: string; family: 4 | 6 }[]>;
  };
}

// A variable, not a literal: this tsconfig has no Node types, and a bundler must not try to
// inline Deno's node:dns.
const nodeDnsSpecifier = "node:dns";
let nodeDnsModule: Promise<NodeDns> | undefined;

/** Deno's node:dns, loaded on first use: its `lookup` is getaddrinfo (see lookup.ts). */
export function nodeDns(): Promise<NodeDns> {
  nodeDnsModule ??= import(nodeDnsSpecifier) as Promise<NodeDns>;
  return nodeDnsModule;
}
