import type { SocketAddress } from "./address.js";
import { SocketError } from "./error.js";
import type { ServerStats, SocketState, SocketStats } from "./types.js";

export type MonitoredKind = "socket" | "server" | "datagram";
/** `client`: connected by this process; `server`: accepted by one of its listeners. */
export type MonitoredRole = "client" | "server" | "listener" | "datagram";

/** One live socket, server or datagram socket, with the names the objects themselves use. */
export interface MonitorEntry {
  readonly id: number;
  readonly kind: MonitoredKind;
  readonly role: MonitoredRole;
  readonly transport: "tcp" | "udp" | "unix";
  /** Whether it is TLS (a server: whether it accepts TLS). */
  readonly secure: boolean;
  readonly localAddress: SocketAddress | undefined;
  readonly remoteAddress: SocketAddress | undefined;
  readonly state: SocketState | "listening";
  readonly stats: SocketStats | ServerStats;
  /** Milliseconds since it opened. */
  readonly age: number;
}

export type MonitorEventType =
  | "connect"
  | "listen"
  | "accept"
  | "send"
  | "receive"
  | "close"
  | "error";

export interface MonitorEvent {
  readonly type: MonitorEventType;
  readonly id: number;
  readonly kind: MonitoredKind;
  /** `Date.now()` when it happened. */
  readonly time: number;
  /** Bytes of a `send` or `receive`. */
  readonly bytes?: number;
  /** The peer of a `send` or `receive` on a datagram socket, and of `connect`/`accept`. */
  readonly remoteAddress?: SocketAddress | undefined;
  readonly localAddress?: SocketAddress | undefined;
  readonly error?: SocketError;
  /** The final counters, on `close`: a socket that lived a millisecond is accounted for too. */
  readonly stats?: SocketStats | ServerStats;
  /**
   * On an `error` that no caller could be told of (a connection handler that threw, a listener
   * that failed to close): what failed, such as "the connection handler".
   */
  readonly stage?: string;
}

export type MonitorListener = (event: MonitorEvent) => void;

/** What the engine registers: anything that can describe itself. */
export interface Monitored {
  readonly id: number;
  snapshot(): MonitorEntry;
}

/**
 * Live sockets and their lifecycle events, for operators. The registry is one per process
 * (per copy of core), shared by every adapter. With no subscriber, an event costs the
 * engine one branch on `monitorActive.value`.
 */
export class Monitor {
  readonly #live = new Set<Monitored>();
  readonly #listeners = new Set<MonitorListener>();

  /** Every live socket, server and datagram socket, as a snapshot. */
  sockets(): MonitorEntry[] {
    return [...this.#live].map((item) => item.snapshot());
  }

  /** Receive every event from now on; returns the function that stops it. */
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
