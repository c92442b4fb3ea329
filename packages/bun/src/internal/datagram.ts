// UDP over Bun.udpSocket: https://bun.com/docs/api/udp
//
// What Bun.udpSocket cannot do (each is a `capabilities` flag):
// - SO_REUSEADDR (`reuseAddr`);
// - SO_SNDBUF / SO_RCVBUF (`datagramBufferSize`).
// Nor can it set a multicast TTL of 0 (oven-sh/bun PR #35216): that is ENOTSUP here.
// It cannot stop reading, so `DatagramHandle` has no pause/resume: core queues up to
// `receiveQueueSize` datagrams and drops the rest, as the kernel would.
// It cannot connect a socket once bound (only `Bun.udpSocket({ connect })` at creation), so
// `connect()` closes the socket and makes it again, connected, on the same local address with
// the same options and settings (see `#reconnect`). Datagrams the kernel had queued for the old
// socket are lost, as UDP may lose any. Where that fails (the port was taken in between), the
// socket is made again unconnected and remembers the peer: sends go to it and core drops
// datagrams from anyone else.
import { inetAddress, notSupported, SocketError } from "@omnisock/core/driver";
import type {
  DatagramHandle,
  DatagramSink,
  HostAddress,
  InetAddress,
  NormalizedBindOptions,
} from "@omnisock/core/driver";
import { type UdpOptions, type UdpSocket, bun } from "./bun.js";
import { toSocketError } from "./error.js";
import { resolve } from "./lookup.js";

/** The option bits Bun's own node:dgram passes to Bun.udpSocket (uSockets' LIBUS_* flags). */
const REUSE_PORT = 4;
const IPV6_ONLY = 8;

interface Outgoing {
  data: Uint8Array;
  port: number;
  hostname: string;
  resolve(): void;
  reject(error: unknown): void;
}

class BunDatagram implements DatagramHandle {
  localAddress!: InetAddress;
  #socket!: UdpSocket;
  /** What made the socket, with the port it got: `connect()` makes it again from these. */
  #options!: UdpOptions;
  readonly #family: 4 | 6;
  readonly #sink: DatagramSink;
  /** Sends Bun refused while its buffer was full, retried in order on `drain`. */
  #waiting: Outgoing[] = [];
  #peer: InetAddress | undefined;
  /** The kernel's too: sends to the peer then name no target (Bun refuses one). */
  #connected = false;
  /** Between closing the socket and having its connected successor: sends wait. */
  #reconnecting = false;
  /** Each setting made, by what it sets, to make again on the connected socket. */
  readonly #settings = new Map<string, (socket: UdpSocket) => unknown>();
  #unref = false;
  #closed = false;

  constructor(options: NormalizedBindOptions, sink: DatagramSink) {
    this.#family = options.family;
    this.#sink = sink;
  }

  /** @internal */
  attach(socket: UdpSocket, options: UdpOptions): void {
    this.#socket = socket;
    this.#options = { ...options, port: socket.port };
    this.localAddress = inetAddress("udp", socket.address.address, socket.port);
  }

  /** @internal Bun's handlers, one set per socket. Datagrams are plain Uint8Arrays Bun does not reuse. */
  readonly handlers = {
    data: (_socket: UdpSocket, data: Uint8Array, port: number, address: string): void => {
      this.#sink.message(data, address, port);
    },
    drain: (): void => this.#retry(),
    // Bun sets IP_RECVERR, so even an unconnected socket hears of ICMP errors (ECONNREFUSED
    // for any earlier send to a closed port). On Node only a connected socket does: the
    // others are dropped here, and a connected socket's are about its peer.
    error: (error: Error): void => {
      if (!this.#peer) return;
      this.#sink.error(toSocketError(error, { syscall: "recvmsg", address: this.#peer }));
    },
  };

  send(data: Uint8Array, target: HostAddress | undefined): Promise<void> | undefined {
    const to = target ?? this.#peer!; // core sends without a target only once connected
    // Bun's send takes IP literals only: a name is resolved first. Core has checked the target,
    // and a checked address has a family exactly when it is an IP literal.
    if (to.family !== undefined) return this.#send(data, to.port, to.hostname);
    return resolve(to.hostname, this.#family, { syscall: "send", address: to }).then(
      ([hostname = to.hostname]) => this.#send(data, to.port, hostname),
    );
  }

  /** `undefined` once Bun has taken the datagram; else a promise that `drain` settles. */
  #send(data: Uint8Array, port: number, hostname: string): Promise<void> | undefined {
    if (this.#waiting.length === 0 && !this.#reconnecting) {
      try {
        if (this.#sendNow(data, port, hostname)) {
          this.#sink.sent(data.byteLength);
          return undefined;
        }
      } catch (error) {
        throw toSocketError(error, {
          syscall: "send",
          address: inetAddress("udp", hostname, port),
        });
      }
    }
    // Bun's buffer is full (or others wait): nothing was sent; `drain` retries in order.
    return new Promise((resolve, reject) =>
      this.#waiting.push({ data, port, hostname, resolve, reject }),
    );
  }

  /** Send what waits, in order, until Bun's buffer is full (then `drain` calls again). */
  #retry(): void {
    const waiting = this.#waiting;
    while (waiting.length > 0) {
      const next = waiting[0]!;
      try {
        if (!this.#sendNow(next.data, next.port, next.hostname)) return;
        this.#sink.sent(next.data.byteLength);
        next.resolve();
      } catch (error) {
        next.reject(
          toSocketError(error, {
            syscall: "send",
            address: inetAddress("udp", next.hostname, next.port),
          }),
        );
      }
      waiting.shift();
    }
  }

  /** A connected socket sends to its peer with no target, and to no one else. */
  #sendNow(data: Uint8Array, port: number, hostname: string): boolean {
    const peer = this.#peer;
    return this.#connected && port === peer!.port && hostname === peer!.hostname
      ? this.#socket.send(data)
      : this.#socket.send(data, port, hostname);
  }

  async connect(target: HostAddress): Promise<InetAddress> {
    const context = { syscall: "connect", address: target };
    const [hostname = target.hostname] = await resolve(target.hostname, this.#family, context);
    this.#peer = inetAddress("udp", hostname, target.port);
    if (!this.#closed) await this.#reconnect(this.#peer);
    return this.#peer;
  }

  /**
   * Bun connects a UDP socket only as it makes one: close this one and make it again on the
   * same port, connected, so that the kernel filters and sends need no route lookup each.
   */
  async #reconnect(peer: InetAddress): Promise<void> {
    this.#reconnecting = true;
    this.#socket.close();
    try {
      this.#socket = await this.#open({ hostname: peer.hostname, port: peer.port });
      this.#connected = true;
    } catch {
      // The port taken in between, or a peer the kernel will not connect to: unconnected
      // again, as on the other runtimes without a connected UDP socket.
      try {
        this.#socket = await this.#open();
      } catch (error) {
        await this.close();
        throw toSocketError(error, { syscall: "connect", address: peer });
      }
    } finally {
      this.#reconnecting = false;
    }
    if (this.#closed) this.#socket.close();
    else this.#retry();
  }

  /** A socket like the first, every setting made again. */
  async #open(connect?: UdpOptions["connect"]): Promise<UdpSocket> {
    const socket = await bun.udpSocket(connect ? { ...this.#options, connect } : this.#options);
    try {
      for (const apply of this.#settings.values()) apply(socket);
      if (this.#unref) socket.unref();
    } catch (error) {
      socket.close();
      throw error;
    }
    return socket;
  }

  setBroadcast(enable: boolean): void {
    this.#set("setBroadcast", (socket) => socket.setBroadcast(enable));
  }

  setTTL(ttl: number): void {
    this.#set("setTTL", (socket) => socket.setTTL(ttl));
  }

  setMulticastTTL(ttl: number): void {
    if (ttl === 0 && !this.#closed) {
      // Bun refuses 0 ("this host only", which the kernel takes) with EINVAL until
      // oven-sh/bun PR #35216 lands; so that is a gap, not a failure.
      try {
        this.#set("setMulticastTTL", (socket) => socket.setMulticastTTL(ttl));
      } catch {
        throw notSupported("a multicast TTL of 0", "bun", "oven-sh/bun PR #35216");
      }
      return;
    }
    this.#set("setMulticastTTL", (socket) => socket.setMulticastTTL(ttl));
  }

  setMulticastLoopback(enable: boolean): void {
    this.#set("setMulticastLoopback", (socket) => socket.setMulticastLoopback(enable));
  }

  setMulticastInterface(address: string): void {
    this.#set("setMulticastInterface", (socket) => socket.setMulticastInterface(address));
  }

  addMembership(group: string, source: string | undefined, iface: string | undefined): void {
    this.#set(
      "addMembership",
      (socket) =>
        source === undefined
          ? socket.addMembership(group, iface)
          : socket.addSourceSpecificMembership(source, group, iface),
      `membership ${group} ${source} ${iface}`,
    );
  }

  dropMembership(group: string, source: string | undefined, iface: string | undefined): void {
    this.#apply("dropMembership", (socket) =>
      source === undefined
        ? socket.dropMembership(group, iface)
        : socket.dropSourceSpecificMembership(source, group, iface),
    );
    this.#settings.delete(`membership ${group} ${source} ${iface}`);
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#socket.close();
      const waiting = this.#waiting;
      this.#waiting = [];
      for (const { reject } of waiting) {
        reject(
          new SocketError("ECLOSED", "the socket closed before the datagram was sent", {
            syscall: "send",
          }),
        );
      }
    }
    return Promise.resolve();
  }

  ref(): void {
    this.#unref = false;
    this.#socket.ref();
  }

  unref(): void {
    this.#unref = true;
    this.#socket.unref();
  }

  /** Apply a setting, and remember it under `key` for the socket `connect()` makes. */
  #set(syscall: string, apply: (socket: UdpSocket) => unknown, key = syscall): void {
    this.#apply(syscall, apply);
    this.#settings.set(key, apply);
  }

  /**
   * Bun's setters throw (EBADF once closed, EINVAL, …); what they throw leaves as a
   * SocketError. While `connect()` makes the socket again, what is remembered is applied then.
   */
  #apply(syscall: string, apply: (socket: UdpSocket) => unknown): void {
    if (this.#reconnecting) return;
    try {
      apply(this.#socket);
    } catch (error) {
      throw toSocketError(error, { syscall, address: this.localAddress });
    }
  }
}

export async function bind(
  options: NormalizedBindOptions,
  sink: DatagramSink,
): Promise<DatagramHandle> {
  const requested = { transport: "udp", hostname: options.hostname, port: options.port } as const;
  const context = { syscall: "bind", address: requested };
  const [hostname = options.hostname] = await resolve(options.hostname, options.family, context);
  const handle = new BunDatagram(options, sink);
  const udpOptions: UdpOptions = {
    hostname,
    port: options.port,
    binaryType: "uint8array",
    // Bun sets IPV6_V6ONLY to 0 itself unless asked; SO_REUSEPORT only when asked.
    flags: (options.reusePort ? REUSE_PORT : 0) | (options.ipv6Only ? IPV6_ONLY : 0),
    socket: handle.handlers,
  };
  let socket: UdpSocket;
  try {
    socket = await bun.udpSocket(udpOptions);
  } catch (error) {
    throw toSocketError(error, context);
  }
  handle.attach(socket, udpOptions);
  try {
    // Every default is set here, not left to Bun (which sets none of these).
    handle.setBroadcast(options.broadcast);
    if (options.ttl !== undefined) handle.setTTL(options.ttl);
    handle.setMulticastTTL(options.multicastTimeToLive);
    handle.setMulticastLoopback(options.multicastLoopback);
  } catch (error) {
    void handle.close();
    throw toSocketError(error, context);
  }
  return handle;
}
