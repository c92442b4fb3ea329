import { checkBoolean, checkOptionsObject, checkSignal, typeError } from "../check.js";
import type { ReadOptions } from "../options.js";

/**
 * A promise that has already fulfilled, returned by the engine where it would otherwise make
 * one per call (a datagram sent at once, a flush with nothing queued). A handler that returns
 * it has nothing to wait for: the next item follows without a turn of the microtask queue.
 */
export const fulfilled: Promise<void> = Promise.resolve();

/**
 * What a socket does when one `read(handler)` call needs it: hand the handler the next item,
 * or end the reading. Shared by every socket of a class (a static object, which the class
 * gives under `readerHooks`), so that a reader costs no closures, nor a field, of its own.
 */
export interface ReaderHooks<Item, Owner> {
  /** The promise the handler returned has fulfilled: hand it what waits, or wait for more. */
  next(owner: Owner, reader: Reader<Item, Owner>): void;
  /**
   * Stop reading: the handler failed (`failed`, with what it threw or rejected with), or the
   * signal aborted and the handler is done.
   */
  stop(owner: Owner, reader: Reader<Item, Owner>, failed: boolean, error: unknown): void;
}

/** @internal The key of a reader's owner's hooks: a getter on its class, shared by all. */
export const readerHooks = Symbol("omnisock.readerHooks");

/** What reads with a `Reader`: a class that gives its hooks. */
export interface ReaderOwner<Item, Owner> {
  readonly [readerHooks]: ReaderHooks<Item, Owner>;
}

/** `Reader`'s bits. */
const Busy = 1;
const Stopping = 2;
const Borrows = 4;

/**
 * One `read(handler)` call: the handler, whether it is busy, and the promise `read()`
 * returned. The owner decides when an item goes to it; this calls the handler, tells a
 * promise it returned from a plain return, and settles `read()`'s promise once.
 */
export class Reader<Item, Owner> {
  /** `busy`, `stopping` and `borrows`, one bit each: one field on each reading connection. */
  #bits = 0;
  readonly #handler: (item: Item, owner: Owner) => unknown;
  readonly #owner: Owner & ReaderOwner<Item, Owner>;
  /** The signal and its listener, when there is a signal (one field where most have none). */
  readonly #abort: { signal: AbortSignal; listener: () => void } | undefined;
  /**
   * Settles `read()`'s promise; `undefined` once it has. Of its two resolving functions only
   * this one is kept (a function is 56 B on each of 10,000 reading connections): a rejection
   * goes through it too.
   */
  #resolve: ((value: PromiseLike<void> | void) => void) | undefined;
  // Made once, when the handler first returns a promise: most handlers never do.
  #settlers: { fulfilled(): void; rejected(error: unknown): void } | undefined;

  /**
   * A reader, and the promise `read()` returns, which the reader settles (it does not keep the
   * promise itself: a field on each reading connection).
   */
  static start<Item, Owner>(
    handler: (item: Item, owner: Owner) => unknown,
    owner: Owner & ReaderOwner<Item, Owner>,
    { signal, borrow }: ReadArguments,
  ): { reader: Reader<Item, Owner>; promise: Promise<void> } {
    let reader: Reader<Item, Owner> | undefined;
    const promise = new Promise<void>((resolve) => {
      reader = new Reader(handler, owner, signal, borrow, resolve);
    });
    return { reader: reader as Reader<Item, Owner>, promise };
  }

  private constructor(
    handler: (item: Item, owner: Owner) => unknown,
    owner: Owner & ReaderOwner<Item, Owner>,
    signal: AbortSignal | undefined,
    borrow: boolean,
    resolve: (value: PromiseLike<void> | void) => void,
  ) {
    if (borrow) this.#bits = Borrows;
    this.#handler = handler;
    this.#owner = owner;
    this.#resolve = resolve;
    if (signal) {
      const listener = (): void => {
        if (this.busy) this.#bits |= Stopping;
        else owner[readerHooks].stop(owner, this, false, undefined);
      };
      this.#abort = { signal, listener };
      signal.addEventListener("abort", listener, { once: true });
    }
  }

  /** Inside a call of the handler, or waiting for the promise it returned. */
  get busy(): boolean {
    return (this.#bits & Busy) !== 0;
  }

  /** The handler only borrows each item (`options.borrow`). */
  get borrows(): boolean {
    return (this.#bits & Borrows) !== 0;
  }

  /** The signal aborted while the handler was busy: stop once it is done. */
  get stopping(): boolean {
    return (this.#bits & Stopping) !== 0;
  }

  /**
   * Hand `item` to the handler. `true` when it is ready for the next one at once; `false`
   * when it returned a promise (it is busy until that settles) or reading stopped.
   */
  deliver(item: Item): boolean {
    this.#bits |= Busy;
    let result: unknown;
    try {
      result = this.#handler(item, this.#owner);
    } catch (error) {
      this.#bits &= ~Busy;
      this.#owner[readerHooks].stop(this.#owner, this, true, error);
      return false;
    }
    if (
      result != null &&
      result !== fulfilled &&
      typeof (result as PromiseLike<unknown>).then === "function"
    ) {
      const settlers = (this.#settlers ??= {
        fulfilled: () => {
          this.#bits &= ~Busy;
          this.#owner[readerHooks].next(this.#owner, this);
        },
        rejected: (error) => {
          this.#bits &= ~Busy;
          this.#owner[readerHooks].stop(this.#owner, this, true, error);
        },
      });
      // A thenable's `then` may throw: that is the handler failing too.
      try {
        (result as PromiseLike<unknown>).then(settlers.fulfilled, settlers.rejected);
      } catch (error) {
        settlers.rejected(error);
      }
      return false;
    }
    this.#bits &= ~Busy;
    if (!this.stopping) return true;
    this.#owner[readerHooks].stop(this.#owner, this, false, undefined);
    return false;
  }

  /** Settle `read()`'s promise: resolved, or rejected with `error` when `failed`. Once. */
  finish(failed: boolean, error?: unknown): void {
    const resolve = this.#resolve;
    if (resolve === undefined) return;
    this.#resolve = undefined;
    if (this.#abort) this.#abort.signal.removeEventListener("abort", this.#abort.listener);
    if (failed) resolve(rejection(error));
    else resolve();
  }
}

/**
 * A rejected promise, for a resolve function to settle its own promise with: that promise then
 * rejects too (two turns of the microtask queue later). Marked handled, as the promise it
 * resolves takes it over.
 */
function rejection(error: unknown): Promise<never> {
  const rejected = Promise.reject(error);
  rejected.catch(() => {});
  return rejected;
}

/** `read(handler, options)`'s options, checked. */
export interface ReadArguments {
  signal: AbortSignal | undefined;
  borrow: boolean;
}

/** `read(handler, options)`'s arguments checked. Throws a TypeError. */
export function checkReadArguments(
  handler: unknown,
  options: ReadOptions | undefined,
): ReadArguments {
  if (typeof handler !== "function") throw typeError("handler", "a function", handler);
  const { signal, borrow } = checkOptionsObject("options", options, ["signal", "borrow"]);
  return {
    signal: signal === undefined ? undefined : checkSignal("options.signal", signal),
    borrow: borrow === undefined ? false : checkBoolean("options.borrow", borrow),
  };
}

/** The one-reader error, in the same words as the read queue's. */
export function alreadyReading(): TypeError {
  return new TypeError("The socket is already being read: one reader at a time");
}
