// UDP over node:dgram: https://nodejs.org/api/dgram.html
//
// What node:dgram cannot do (each is a `capabilities` flag):
// - SO_REUSEPORT before Node 22.12 / 23.1, where the option is silently ignored (`datagramReusePort`).
// It also cannot stop reading a bound socket, so `DatagramHandle` has no pause/resume:
// core queues up to `receiveQueueSize` datagrams and drops the rest, as the kernel would.
import dgram from "node:dgram";
import { inetAddress } from "@omnisock/core/driver";
import type {
  DatagramHandle,
  DatagramSink,
  HostAddress,
  InetAddress,
  NormalizedBindOptions,
} from "@omnisock/core/driver";
import { toSocketError } from "./error.js";

class NodeDatagram implements DatagramHandle {
  readonly localAddress: InetAddress;
  readonly #socket: dgram.Socket;
  readonly #sink: DatagramSink;

  constructor(socket: dgram.Socket, sink: DatagramSink) {
    this.#socket = socket;
    this.#sink = sink;
    const { address, port } = socket.address();
    this.localAddress = inetAddress("udp", address, port);
    socket.on("message", (message: Buffer, remote: dgram.RemoteInfo) => {
      // A plain Uint8Array view, so user code sees the same type on every runtime.
      const data = new Uint8Array(message.buffer, message.byteOffset, message.byteLength);
      this.#sink.message(data, remote.address, remote.port);
    });
    // After bind, Node emits 'error' only for a failed receive (ICMP port unreachable on a
    // connected socket); sends and connects report to their callbacks.
    socket.on("error", (error: Error & { syscall?: string }) => {
      this.#sink.error(
        toSocketError(error, { syscall: error.syscall ?? "recvmsg", address: this.localAddress }),
      );
    });
  }

  send(data: Uint8Array, target: HostAddress | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const callback = (error: Error | null): void => {
        if (error) return reject(toSocketError(error, { syscall: "send", address: target }));
        this.#sink.sent(data.byteLength);
        resolve();
      };
      try {
        if (target) this.#socket.send(data, target.port, target.hostname, callback);
        else this.#socket.send(data, callback);
      } catch (error) {
        callback(error as Error);
      }
    });
  }

  connect(target: HostAddress): Promise<InetAddress> {
    return new Promise((resolve, reject) => {
      const callback = (error?: Error): void => {
        if (error) return reject(toSocketError(error, { syscall: "connect", address: target }));
        const { address, port } = this.#socket.remoteAddress();
        resolve(inetAddress("udp", address, port));
      };
      try {
        this.#socket.connect(target.port, target.hostname, callback);
      } catch (error) {
        callback(error as Error);
      }
    });
  }

  setBroadcast(enable: boolean): void {
    this.#call("setBroadcast", () => this.#socket.setBroadcast(enable));
  }

  setTTL(ttl: number): void {
    this.#call("setTTL", () => this.#socket.setTTL(ttl));
  }

  setMulticastTTL(ttl: number): void {
    this.#call("setMulticastTTL", () => this.#socket.setMulticastTTL(ttl));
  }

  setMulticastLoopback(enable: boolean): void {
    this.#call("setMulticastLoopback", () => this.#socket.setMulticastLoopback(enable));
  }

  setMulticastInterface(address: string): void {
    this.#call("setMulticastInterface", () => this.#socket.setMulticastInterface(address));
  }

  addMembership(group: string, source: string | undefined, iface: string | undefined): void {
    this.#call("addMembership", () =>
      source === undefined
        ? this.#socket.addMembership(group, iface)
        : this.#socket.addSourceSpecificMembership(source, group, iface),
    );
  }

  dropMembership(group: string, source: string | undefined, iface: string | undefined): void {
    this.#call("dropMembership", () =>
      source === undefined
        ? this.#socket.dropMembership(group, iface)
        : this.#socket.dropSourceSpecificMembership(source, group, iface),
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.#socket.close(() => resolve());
      } catch {
        resolve(); // already closed (ERR_SOCKET_DGRAM_NOT_RUNNING)
      }
    });
  }

  ref(): void {
    this.#socket.ref();
  }

  unref(): void {
    this.#socket.unref();
  }

  /** The socket options throw synchronously; what they throw leaves as a SocketError. */
  #call(syscall: string, apply: () => unknown): void {
    try {
      // After close, Node's setters hit a null handle (a TypeError); address() throws Node's
      // own ERR_SOCKET_DGRAM_NOT_RUNNING instead.
      this.#socket.address();
      apply();
    } catch (error) {
      throw toSocketError(error, { syscall, address: this.localAddress });
    }
  }
}

export function bind(options: NormalizedBindOptions, sink: DatagramSink): Promise<DatagramHandle> {
  // Every default is set here, not left to Node.
  const socket = dgram.createSocket({
    type: options.family === 6 ? "udp6" : "udp4",
    reuseAddr: options.reuseAddr,
    ipv6Only: options.ipv6Only,
    // Node reads 0 / undefined as "the system's".
    recvBufferSize: options.receiveBufferSize,
    sendBufferSize: options.sendBufferSize,
    // Not in @types/node 20; Node 20 ignores it, so core refuses it there (capabilities).
    ...(options.reusePort ? { reusePort: true } : {}),
  });
  const requested = { transport: "udp", hostname: options.hostname, port: options.port } as const;
  return new Promise((resolve, reject) => {
    const fail = (error: unknown): void => {
      reject(toSocketError(error, { syscall: "bind", address: requested }));
      try {
        socket.close();
      } catch {
        // already closed
      }
    };
    socket.once("error", fail);
    socket.once("listening", () => {
      socket.removeAllListeners("error");
      let handle: NodeDatagram;
      try {
        handle = new NodeDatagram(socket, sink);
        handle.setBroadcast(options.broadcast);
        if (options.ttl !== undefined) handle.setTTL(options.ttl);
        handle.setMulticastTTL(options.multicastTimeToLive);
        handle.setMulticastLoopback(options.multicastLoopback);
      } catch (error) {
        return fail(error);
      }
      resolve(handle);
    });
    // exclusive: a UDP socket is never shared with cluster workers behind the user's back.
    socket.bind({ address: options.hostname, port: options.port, exclusive: true });
  });
}
