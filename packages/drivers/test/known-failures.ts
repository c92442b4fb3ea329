// Driver × runtime combinations that fail over the runtime's own node:net / node:tls layer:
// the bugs omnisock's `omnisock/net` exists to avoid. Each names the upstream issue; each holds
// only while the driver's socket comes from "node:net", so over omnisock the case must pass.
import type { Driver } from "../src/socket-factory.js";

export interface KnownFailure {
  driver: Driver;
  runtime: string;
  /** The case's name, as given to workload(). */
  name: RegExp;
  /** What goes wrong, as seen here. */
  reason: string;
  link: string;
}

export const knownFailures: KnownFailure[] = [];

export function knownFailure(
  driver: Driver,
  name: string,
  runtime: string,
  socketModule: string,
): KnownFailure | undefined {
  if (socketModule !== "node:net") return undefined;
  return knownFailures.find(
    (entry) => entry.driver === driver && entry.runtime === runtime && entry.name.test(name),
  );
}
