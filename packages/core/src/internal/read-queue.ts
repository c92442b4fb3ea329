/**
 * @internal The method by which a reader gives a `Socket` back bytes it read and did not use
 * (a framing decoder's leftovers), for the next reader. Keyed with `Symbol.for`, like
 * SocketError's brand, so that it holds across two installed copies of core.
 */
export const unread = Symbol.for("omnisock.unread");

/**
 * @internal Where a framing decoder reading a `Socket` shows what it holds and has not
 * delivered, while its loop runs: `startTls()` called from inside that loop must count it as
 * unread plaintext too. `Symbol.for` for the same reason as `unread`.
 */
export const decoding = Symbol.for("omnisock.decoding");

/**
 * What a socket, a server or a datagram socket has received and nobody has read yet, and the
 * one read that may be waiting for the next item. One reader at a time: a second read while
 * one waits is a TypeError, as in the web streams' readers.
 */
export class ReadQueue<T> {
  // A head index rather than `shift()`: a queue that fills and drains in bursts stays O(1).
  // Made when the first item must wait: most items go straight to a waiting read, and an idle
  // connection holds none.
  #items: (T | undefined)[] | undefined;
  #head = 0;
  #waiting: { resolve(result: IteratorResult<T>): void; reject(error: unknown): void } | undefined;
  readonly #what: string;
  /** The bytes buffered, where the owner counts them (a socket, for its `highWaterMark`). */
  bytes = 0;

  /** `what` names the owner in the one-reader error: "socket", "server". */
  constructor(what: string) {
    this.#what = what;
  }

  /** Items buffered. */
  get length(): number {
    return this.#items === undefined ? 0 : this.#items.length - this.#head;
  }

  /** Whether a read is waiting (so nothing is buffered). */
  get waiting(): boolean {
    return this.#waiting !== undefined;
  }

  /** Hand `item` to the waiting read. `false` if none waits: buffer it (`push`) or drop it. */
  give(item: T): boolean {
    const waiting = this.#waiting;
    if (waiting === undefined) return false;
    this.#waiting = undefined;
    waiting.resolve({ value: item, done: false });
    return true;
  }

  push(item: T): void {
    (this.#items ??= []).push(item);
  }

  /** Put `items` back in front of what is buffered, in their order. */
  unshift(items: readonly T[]): void {
    // Rare (a reader giving back what it did not use): no need to reuse the spent slots.
    this.#items = [...items, ...(this.#items?.slice(this.#head) ?? [])];
    this.#head = 0;
  }

  /** The oldest buffered item, released from the queue. */
  shift(): T | undefined {
    const items = this.#items;
    if (items === undefined || this.#head === items.length) return undefined;
    const item = items[this.#head];
    // Released as it goes: a queue may hold large chunks.
    items[this.#head++] = undefined;
    if (this.#head === items.length) {
      items.length = 0;
      this.#head = 0;
    }
    return item;
  }

  /** Wait for the next item given. Call only when nothing is buffered. */
  wait(): Promise<IteratorResult<T>> {
    if (this.#waiting) {
      return Promise.reject(
        new TypeError(`The ${this.#what} is already being read: one reader at a time`),
      );
    }
    return new Promise((resolve, reject) => (this.#waiting = { resolve, reject }));
  }

  /** Settle the waiting read, if any, without an item: with `result`, or rejected with `error`. */
  release(result: IteratorResult<T>, error?: unknown): void {
    const waiting = this.#waiting;
    if (waiting === undefined) return;
    this.#waiting = undefined;
    if (error === undefined) waiting.resolve(result);
    else waiting.reject(error);
  }

  /** Drop everything buffered. */
  clear(): void {
    this.#items = undefined;
    this.#head = 0;
  }
}

/** The result that ends an iteration. */
export const done: IteratorResult<never> = Object.freeze({ value: undefined, done: true });
