/**
 * `attempt`, given up when `signal` aborts: the promise rejects with the signal's reason, and
 * what the attempt brings afterwards is handed to `release` (a connection is closed).
 */
export function abortable<T>(
  attempt: Promise<T>,
  signal: AbortSignal | undefined,
  release: (value: T) => void,
): Promise<T> {
  if (!signal) return attempt;
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    attempt.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        if (signal.aborted) release(value);
        else resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
