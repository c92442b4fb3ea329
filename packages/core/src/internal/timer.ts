/** A timer that does not keep the process alive where the runtime allows (Node, Bun). */
export function startTimer(callback: () => void, ms: number): ReturnType<typeof setTimeout> {
  const timer = setTimeout(callback, ms);
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

const encoder = new TextEncoder();
export function encode(text: string): Uint8Array {
  return encoder.encode(text);
}
export { encoder };

const settled = Promise.resolve();
/**
 * Run `callback` as a microtask, once the current synchronous code is done. Not
 * `queueMicrotask`: Node wraps every call of that in an AsyncResource, which costs more than
 * the write it schedules. `callback` must not throw (it would be an unhandled rejection).
 */
export function soon(callback: () => void): void {
  void settled.then(callback);
}

const epoch = Date.now();
/**
 * The time in milliseconds since this module loaded: a small integer, which V8 keeps in an
 * object's field itself (for the first 12 days at least), where `Date.now()` would be a heap
 * number of 16 B on each of 10,000 sockets. `epochMs()` turns it back into a time.
 */
export function msSinceLoad(): number {
  // Math.trunc: V8's subtraction of two heap numbers is a heap number, even when whole.
  return Math.trunc(Date.now() - epoch);
}
export function epochMs(msSinceLoad: number): number {
  return epoch + msSinceLoad;
}

let lastId = 0;
/** Ids are unique per process and never reused, so a monitor event names one socket. */
export function nextId(): number {
  return ++lastId;
}

/** `Symbol.asyncDispose` where the runtime has it; a registered symbol otherwise. */
export const asyncDispose: typeof Symbol.asyncDispose =
  Symbol.asyncDispose ?? (Symbol.for("Symbol.asyncDispose") as typeof Symbol.asyncDispose);
