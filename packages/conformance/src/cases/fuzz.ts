// Framing under random chunkings: every codec, seeded so that a failure can be replayed.
import { describe } from "vitest";
import type { Api } from "../context.js";

export function fuzzCases(_api: Api): void {
  describe("framing fuzz", () => {});
}
