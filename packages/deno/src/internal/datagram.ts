// UDP over Deno.listenDatagram: https://docs.deno.com/api/deno/~/Deno.listenDatagram
// It exists only with --unstable-net (denoland/deno#11022).
//
// What Deno cannot do (each is a `capabilities` flag):
// - UDP at all without --unstable-net (`udp`);
// - SO_REUSEPORT, IPV6_V6ONLY, IP_TTL, SO_SNDBUF / SO_RCVBUF (`datagramReusePort`, `datagramIpv6Only`, `ttl`,
//   `datagramBufferSize`);
// - source-specific multicast (`multicastSource`);
// - set the multicast TTL, loopback or interface after bind: Deno sets them through a
//   membership only, and has no interface setter (`multicastOptions`). Loopback is set at bind.
// Emulated:
// - connected UDP: the socket stays unconnected; `send` without a target goes to the peer and
//   core drops datagrams from anyone else (`udpConnect`). ICMP errors are not reported.
// - SO_BROADCAST: Deno always sets it, so while `broadcast` is off, a send to a broadcast
//   address fails with EACCES here, as the kernel would.
import { inetAddress, notSupported, SocketError } from "@omnisock/core/driver";
import type {
  DatagramHandle,
  DatagramSink,
  HostAddress,
  InetAddress,
  NormalizedBindOptions,
} from "@omnisock/core/driver";
import { type DatagramConn, deno, type MulticastMembership } from "./deno.js";
import { ChunkArena } from "./arena.js";
import { toSocketError } from "./error.js";
import { resolve } from "./lookup.js";

/** The largest UDP payload, so that no datagram is ever cut short. */
const RECEIVE_SIZE = 65_536;

class DenoDatagram implements DatagramHandle {
  readonly localAddress: InetAddress;
  readonly #conn: DatagramConn;
  readonly #family: 4 | 6;
  readonly #sink: DatagramSink;
  #closed = false;
  #paused = false;
  #wake: (() => void) | undefined;
  #broadcast: boolean;
  #remote: InetAddress | undefined;
  /** Joined groups by `group|interface`. Deno joins asynchronously: a send waits for joins in flight. */
  readonly #memberships = new Map<string, Promise<MulticastMembership>>();
  readonly #joining = new Set<Promise<unknown>>();

  constructor(conn: DatagramConn, options: NormalizedBindOptions, sink: DatagramSink) {
    this.#conn = conn;
    this.#sink = sink;
    this.#family = options.family;
    this.#broadcast = options.broadcast;
    this.localAddress = inetAddress("udp", conn.addr.hostname, conn.addr.port);
    void this.#receiveLoop();
  }

  async #receiveLoop(): Promise<void> {
    const buffer = new Uint8Array(RECEIVE_SIZE);
    const chunks = new ChunkArena();
    while (!this.#closed) {
      if (this.#paused) {
        await new Promise<void>((wake) => (this.#wake = wake));
        continue;
      }
      try {
        const [data, from] = await this.#conn.receive(buffer);
        if (this.#closed) return;
        // A copy: `data` is a view of `buffer`, which the next receive overwrites.
        this.#sink.message(chunks.copy(data), from.hostname, from.port);
        // Deno runs an op as it is called. Let what the consumer does with this datagram (a
        // reply, most often: its reader wakes one microtask later) start before the next
        // receive: a receive issued after the reply finds the answer already there, where one
        // already waiting must be woken through the event loop, ~2 µs more per datagram.
        await undefined;
      } catch (error) {
        if (this.#closed) return;
        this.#sink.error(toSocketError(error, { syscall: "recvmsg", address: this.localAddress }));
      }
    }
  }

  send(data: Uint8Array, target: HostAddress | undefined): Promise<void> {
    const to = target ?? this.#remote!;
    if (this.#joining.size > 0) {
      return Promise.allSettled(this.#joining).then(() => this.#send(data, to));
    }
    return this.#send(data, to);
  }

  #send(data: Uint8Array, to: HostAddress): Promise<void> {
    if (!this.#broadcast && isBroadcast(to.hostname)) {
      throw new SocketError("EACCES", "send to a broadcast address needs setBroadcast(true)", {
        syscall: "send",
        address: inetAddress("udp", to.hostname, to.port),
      });
    }
    return this.#conn.send(data, { transport: "udp", hostname: to.hostname, port: to.port }).then(
      () => this.#sink.sent(data.byteLength),
      (error: unknown) => {
        throw toSocketError(error, { syscall: "send", address: to });
      },
    );
  }

  async connect(target: HostAddress): Promise<InetAddress> {
    const context = { syscall: "connect", address: target } as const;
    let hostname = await resolve(target.hostname, this.#family, context);
    // A dual-stack socket sees IPv4 peers as IPv4-mapped: the filter must compare those.
    if (this.#family === 6 && !hostname.includes(":")) hostname = `::ffff:${hostname}`;
    this.#remote = inetAddress("udp", hostname, target.port);
    return this.#remote;
  }

  pause(): void {
    // Stop receiving: the kernel's buffer fills, then drops, as it would anyway.
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#wake?.();
    this.#wake = undefined;
  }

  setBroadcast(enable: boolean): void {
    this.#broadcast = enable;
  }

  setTTL(): void {
    throw notSupported("setTTL", "deno");
  }

  setMulticastTTL(): void {
    throw notSupported("setMulticastTTL", "deno");
  }

  setMulticastLoopback(): void {
    throw notSupported("setMulticastLoopback", "deno", "set multicastLoopback at bind instead");
  }

  setMulticastInterface(): void {
    throw notSupported("setMulticastInterface", "deno");
  }

  // Deno joins and leaves asynchronously: the promise settles when it is done, and a send
  // waits for joins and leaves in flight, so that a datagram sent right after joining is seen.
  addMembership(
    group: string,
    source: string | undefined,
    iface: string | undefined,
  ): Promise<void> {
    if (source !== undefined) throw notSupported("joinMulticast with a source", "deno");
    const key = `${group}|${iface ?? ""}`;
    if (this.#memberships.has(key)) {
      // What setsockopt(IP_ADD_MEMBERSHIP) answers for a group already joined.
      throw new SocketError("EADDRINUSE", `already a member of ${group}`, {
        syscall: "addMembership",
      });
    }
    const joining = (
      group.includes(":")
        ? this.#conn.joinMulticastV6(group, interfaceIndex(iface))
        : this.#conn.joinMulticastV4(group, iface ?? "0.0.0.0")
    ).catch((error: unknown) => {
      this.#memberships.delete(key);
      throw toSocketError(error, { syscall: "addMembership", name: group });
    });
    this.#memberships.set(key, joining);
    this.#track(joining);
    return joining.then(() => undefined);
  }

  dropMembership(
    group: string,
    source: string | undefined,
    iface: string | undefined,
  ): Promise<void> {
    if (source !== undefined) throw notSupported("leaveMulticast with a source", "deno");
    const key = `${group}|${iface ?? ""}`;
    const membership = this.#memberships.get(key);
    if (!membership) {
      throw new SocketError("EADDRNOTAVAIL", `not a member of ${group}`, {
        syscall: "dropMembership",
      });
    }
    this.#memberships.delete(key);
    const leaving = membership
      .then((joined) => joined.leave())
      .catch((error: unknown) => {
        throw toSocketError(error, { syscall: "dropMembership", name: group });
      });
    this.#track(leaving);
    return leaving;
  }

  #track(operation: Promise<unknown>): void {
    this.#joining.add(operation);
    // Its failure is the caller's (the promise joinMulticast returned); here only its end counts.
    operation.then(
      () => this.#joining.delete(operation),
      () => this.#joining.delete(operation),
    );
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#wake?.();
      try {
        this.#conn.close(); // the pending receive rejects, and finds the handle closed
      } catch {
        // Already closed.
      }
    }
    return Promise.resolve();
  }

  ref(): void {
    this.#conn.ref();
  }

  unref(): void {
    this.#conn.unref();
  }
}

let broadcastAddresses: Set<string> | undefined;

/**
 * The limited broadcast address, the loopback's, and each IPv4 interface's directed one when
 * Deno may list interfaces (--allow-sys; asked without a prompt). Without that permission a
 * send to another interface's directed broadcast address is not caught.
 */
function isBroadcast(hostname: string): boolean {
  broadcastAddresses ??= collectBroadcastAddresses();
  return broadcastAddresses.has(hostname);
}

function collectBroadcastAddresses(): Set<string> {
  const found = new Set(["255.255.255.255", "127.255.255.255"]);
  if (deno.permissions.querySync({ name: "sys", kind: "networkInterfaces" }).state !== "granted") {
    return found;
  }
  for (const { family, address, netmask } of deno.networkInterfaces()) {
    // A /32 or /31 has no broadcast address (RFC 3021).
    if (family !== "IPv4" || netmask === "255.255.255.255" || netmask === "255.255.255.254")
      continue;
    const mask = netmask.split(".").map(Number);
    found.add(
      address
        .split(".")
        .map((octet, index) => Number(octet) | (~mask[index]! & 255))
        .join("."),
    );
  }
  return found;
}

/** Deno joins an IPv6 group on an interface index; omnisock names interfaces by address. */
function interfaceIndex(iface: string | undefined): number {
  if (iface === undefined) return 0;
  const granted =
    deno.permissions.querySync({ name: "sys", kind: "networkInterfaces" }).state === "granted";
  const found = granted
    ? deno.networkInterfaces().find(({ address }) => address === iface)
    : undefined;
  if (found?.scopeid == null) {
    throw notSupported(
      "joinMulticast on an IPv6 interface",
      "deno",
      granted ? `no interface has the address ${iface}` : "needs --allow-sys=networkInterfaces",
    );
  }
  return found.scopeid;
}

export function bind(options: NormalizedBindOptions, sink: DatagramSink): Promise<DatagramHandle> {
  const requested = { transport: "udp", hostname: options.hostname, port: options.port } as const;
  try {
    if (!deno.listenDatagram) throw notSupported("UDP", "deno", "run with --unstable-net");
    const conn = deno.listenDatagram({
      transport: "udp",
      hostname:
        options.hostname === "" ? (options.family === 6 ? "::" : "0.0.0.0") : options.hostname,
      port: options.port,
      reuseAddress: options.reuseAddr,
      // Deno's default is off; omnisock's (multicastLoopback) is on. The multicast TTL stays
      // the system's, which is omnisock's default of 1 on every OS (RFC 1112).
      loopback: options.multicastLoopback,
    });
    return Promise.resolve(new DenoDatagram(conn, options, sink));
  } catch (error) {
    return Promise.reject(toSocketError(error, { syscall: "bind", address: requested }));
  }
}
