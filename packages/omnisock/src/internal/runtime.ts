// The running runtime's omnisock API, for the compatibility entries (`omnisock/net`,
// `omnisock/sockets`). Their code is shared by every runtime; each runtime's entry file hands
// its driver's API over here as it loads (see src/net/*.ts), and only one of them is ever
// loaded in a process: the export conditions pick it.
import type { Omnisock } from "@omnisock/core";

let current: Omnisock | undefined;

/**
 * What an entry file exports: `exports` (the shared code), now bound to `api`, its runtime's
 * omnisock API. Exporting the result, rather than re-exporting, keeps a bundler from skipping
 * the entry file and with it the binding.
 */
export function bind<Exports>(api: Omnisock, exports: Exports): Exports {
  current = api;
  return exports;
}

/** The API the entry file handed over. */
export function runtime(): Omnisock {
  if (current === undefined) {
    throw new Error("[omnisock] no runtime is bound: import omnisock/net or omnisock/sockets");
  }
  return current;
}
