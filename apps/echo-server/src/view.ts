/**
 * The server's live view of its sockets. In a terminal: the socket table, redrawn in place
 * (at most ten times a second, and only when it changed), with the latest events under it.
 * Elsewhere (a pipe, a file, a log collector): one line per lifecycle event.
 */
import { describeEvent, renderTable } from "./table.js";
import type { Monitor, MonitorEvent, ServerStats, SocketStats } from "./omnisock.js";

/** Where the view writes: `process.stdout`, or anything shaped like it. */
export interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
  readonly rows?: number;
}

/** Anything the monitor lists that keeps its counters after it closes: a socket, server or datagram socket. */
export interface Tracked {
  readonly id: number;
  readonly stats: SocketStats | ServerStats;
}

const FRAME_INTERVAL = 100;
// The age column moves even when nothing happens.
const AGE_INTERVAL = 1_000;
const RECENT_EVENTS = 8;

export class SocketView {
  readonly #monitor: Monitor;
  readonly #out: Output;
  readonly #live: boolean;
  readonly #unsubscribe: () => void;
  // The close event carries no counters, and by then the object has left monitor.sockets();
  // but the object keeps its stats after closing, so the view holds on to what it tracks.
  readonly #tracked = new Map<number, Tracked>();
  readonly #recent: string[] = [];
  #drawn: string[] = [];
  #lastDraw = -Infinity;
  #frameTimer: ReturnType<typeof setTimeout> | undefined;
  #ageTimer: ReturnType<typeof setInterval> | undefined;

  constructor(monitor: Monitor, out: Output, title: string) {
    this.#monitor = monitor;
    this.#out = out;
    this.#live = out.isTTY === true;
    out.write(`${title}\n`);
    this.#unsubscribe = monitor.subscribe((event) => this.#onEvent(event));
    if (this.#live) {
      this.#ageTimer = setInterval(() => this.#schedule(), AGE_INTERVAL);
      this.#draw();
    }
  }

  /** Report this object's counters when it closes. */
  track(item: Tracked): void {
    this.#tracked.set(item.id, item);
  }

  /** A line of our own (such as why we stop), placed with the events. */
  note(line: string): void {
    this.#addLine(line);
  }

  /** Draw one last time and stop watching. */
  stop(): void {
    this.#unsubscribe();
    clearInterval(this.#ageTimer);
    clearTimeout(this.#frameTimer);
    this.#frameTimer = undefined;
    if (this.#live) this.#draw();
  }

  #onEvent(event: MonitorEvent): void {
    let stats: SocketStats | ServerStats | undefined;
    if (event.type === "close") {
      stats = this.#tracked.get(event.id)?.stats;
      this.#tracked.delete(event.id);
    }
    const line = describeEvent(event, stats);
    if (line !== undefined) this.#addLine(line);
    else if (this.#live) this.#schedule();
  }

  #addLine(line: string): void {
    if (!this.#live) {
      this.#out.write(`${line}\n`);
      return;
    }
    this.#recent.push(line);
    if (this.#recent.length > RECENT_EVENTS) this.#recent.shift();
    this.#schedule();
  }

  #schedule(): void {
    if (this.#frameTimer !== undefined) return;
    const wait = Math.max(0, this.#lastDraw + FRAME_INTERVAL - performance.now());
    this.#frameTimer = setTimeout(() => {
      this.#frameTimer = undefined;
      this.#draw();
    }, wait);
  }

  #draw(): void {
    this.#lastDraw = performance.now();
    const lines = this.#frame();
    if (lines.length === this.#drawn.length && lines.every((line, i) => line === this.#drawn[i])) {
      return;
    }
    // Back to the first line drawn last time, clear to the end of the screen, draw anew.
    const rewind = this.#drawn.length > 0 ? `\r\x1b[${this.#drawn.length}A\x1b[J` : "";
    this.#out.write(rewind + lines.map((line) => `${line}\n`).join(""));
    this.#drawn = lines;
  }

  #frame(): string[] {
    // A line wider than the terminal wraps, and the rewind would then go up too few lines.
    // A terminal that reports 0 columns or rows (some do, over a serial line or in a
    // container) does not know its size: `||`, not `??`, so that 0 means the usual 80 × 24.
    const width = Math.max(20, (this.#out.columns || 80) - 1);
    const height = this.#out.rows || 24;
    const sockets = this.#monitor.sockets();
    const table = sockets.length > 0 ? renderTable(sockets) : ["(no open sockets)"];
    const events = this.#recent.length > 0 ? ["", ...this.#recent] : [];
    // Lines beyond the screen's height cannot be rewound either: cut the table short.
    const room = Math.max(3, height - events.length - 2);
    const shown =
      table.length > room
        ? [...table.slice(0, room - 1), `… and ${table.length - room + 1} more`]
        : table;
    return [...shown, ...events].map((line) =>
      line.length > width ? `${line.slice(0, width - 1)}…` : line,
    );
  }
}
