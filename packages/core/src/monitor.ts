import type { SocketAddress } from "./address.js";
import { SocketError } from "./error.js";
import type { ServerStats, SocketState, SocketStats } from "./types.js";

/** What a monitored object is: a stream {@link Socket}, a {@link Server} or a {@link DatagramSocket}. */
export type MonitoredKind = "socket" | "server" | "datagram";
/**
 * A monitored object's part: `client`, a socket this process connected; `server`, a socket
 * one of its listeners accepted; `listener`, a server; `datagram`, a datagram socket.
 */
export type MonitoredRole = "client" | "server" | "listener" | "datagram";

/** One live socket, server or datagram socket, with the names the objects themselves use. */
export interface MonitorEntry {
  /** The object's `id`: unique in the process, never reused, and named by its events. */
  readonly id: number;
  /** Whether it is a stream socket, a server or a datagram socket. */
  readonly kind: MonitoredKind;
  /** Its part: connected, accepted, listening or datagram. */
  readonly role: MonitoredRole;
  /** `"tcp"` (TLS included), `"unix"` or `"udp"`. */
  readonly transport: "tcp" | "udp" | "unix";
  /** Whether it is TLS (a server: whether it accepts TLS). */
  readonly secure: boolean;
  /** Its own address (a server's: the address it listens on). */
  readonly localAddress: SocketAddress | undefined;
  /** The peer; `undefined` for a server and an unconnected datagram socket. */
  readonly remoteAddress: SocketAddress | undefined;
  /** The socket's `state`; `"listening"` for a server that is. */
  readonly state: SocketState | "listening";
  /** Its counters, as its `stats` says them now. */
  readonly stats: SocketStats | ServerStats;
  /** Milliseconds since it opened. */
  readonly age: number;
}

/**
 * What happened:
 * - `connect`: a socket connected (or a datagram socket was connected to a peer);
 * - `listen`: a server began listening, or a datagram socket was bound;
 * - `accept`: a server accepted a connection (the event's `id` is the new socket's);
 * - `send`, `receive`: bytes went to the kernel or came from it (a datagram, for UDP);
 * - `close`: the object is closed, with its final `stats`;
 * - `error`: a failure, with the `error`: the one a socket ended with, a failed TLS handshake
 *   a server refused, a datagram error nobody could be told of, or what a connection handler
 *   threw (see `stage`).
 */
export type MonitorEventType =
  | "connect"
  | "listen"
  | "accept"
  | "send"
  | "receive"
  | "close"
  | "error";

/** One lifecycle event of a socket, server or datagram socket. */
export interface MonitorEvent {
  /** What happened. */
  readonly type: MonitorEventType;
  /** The `id` of the object it happened to. */
  readonly id: number;
  /** What that object is. */
  readonly kind: MonitoredKind;
  /** `Date.now()` when it happened. */
  readonly time: number;
  /** Bytes of a `send` or `receive`. */
  readonly bytes?: number;
  /** The peer of a `send` or `receive` on a datagram socket, and of `connect`/`accept`. */
  readonly remoteAddress?: SocketAddress | undefined;
  /** The local address, on `connect`, `accept` and `listen`. */
  readonly localAddress?: SocketAddress | undefined;
  /** The failure, on `error`. */
  readonly error?: SocketError;
  /** The final counters, on `close`: a socket that lived a millisecond is accounted for too. */
  readonly stats?: SocketStats | ServerStats;
  /**
   * On an `error` that no caller could be told of (a connection handler that threw, a listener
   * that failed to close): what failed, such as "the connection handler".
   */
  readonly stage?: string;
}

/** What {@link Monitor.subscribe} calls with each event, as it happens. */
export type MonitorListener = (event: MonitorEvent) => void;

/** What the engine registers: anything that can describe itself. */
export interface Monitored {
  readonly id: number;
  snapshot(): MonitorEntry;
  /**
   * What it keeps that is listed with it but not registered on its own: a server's accepted
   * connections, which it tracks anyway (one registry entry fewer per connection).
   */
  members?(): Iterable<Monitored>;
}

/**
 * Live sockets and their lifecycle events, for operators: the adapters' `monitor`. The
 * registry is one per process (per copy of core), shared by every adapter. With no
 * subscriber, an event costs the engine one branch.
 */
export class Monitor {
  readonly #live = new Set<Monitored>();
  readonly #listeners = new Set<MonitorListener>();

  /** Every live socket, server and datagram socket, as a snapshot. */
  sockets(): MonitorEntry[] {
    const entries: MonitorEntry[] = [];
    for (const item of this.#live) {
      entries.push(item.snapshot());
      for (const member of item.members?.() ?? []) entries.push(member.snapshot());
    }
    return entries;
  }

  /**
   * Receive every event from now on, synchronously as it happens, so that even a connection
   * that lives a millisecond is seen. A listener that throws is reported on the console and
   * does not disturb the socket. Returns the function that unsubscribes.
   *
   * @throws TypeError when `listener` is not a function.
   */
  subscribe(listener: MonitorListener): () => void {
    if (typeof listener !== "function") {
      throw new TypeError(
        `The "listener" argument must be a function. Received ${typeof listener}`,
      );
    }
    this.#listeners.add(listener);
    monitorActive.value = true;
    return () => {
      this.#listeners.delete(listener);
      monitorActive.value = this.#listeners.size > 0;
    };
  }

  /** @internal */
  add(item: Monitored): void {
    this.#live.add(item);
  }

  /** @internal */
  delete(item: Monitored): void {
    this.#live.delete(item);
  }

  /** @internal Call only when `monitorActive.value` is true. */
  emit(event: MonitorEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        // A broken listener must not break the socket that reported the event.
        report("monitor listener", error);
      }
    }
  }
}

/** The one branch on the hot path. */
export const monitorActive = { value: false };

export const monitor = new Monitor();

/**
 * The one reporter for failures on fire-and-forget paths (a throwing connection handler, a
 * listener that fails to close): nobody awaits them, so they must not crash the process nor
 * vanish. They reach the monitor as an `error` event (a non-`SocketError` wrapped as `EIO`,
 * with the original as `cause`) — the hook for applications — and, while nobody subscribes,
 * the console.
 */
export function report(
  stage: string,
  error: unknown,
  source?: { readonly id: number; snapshot(): MonitorEntry },
): void {
  if (!monitorActive.value || source === undefined) {
    console.error(`[omnisock] ${stage} failed:`, error);
    return;
  }
  const reported =
    error instanceof SocketError
      ? error
      : new SocketError("EIO", `${stage} failed: ${String(error)}`, { cause: error });
  monitor.emit({
    type: "error",
    id: source.id,
    kind: source.snapshot().kind,
    time: Date.now(),
    error: reported,
    stage,
  });
}
