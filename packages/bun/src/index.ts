import { createApi } from "@omnisock/core/driver";
import { driver } from "./internal/driver.js";

// A driver loaded on the wrong runtime fails at once rather than half-working. Node and Deno
// each have their own package, and `omnisock` picks it.
if (!("Bun" in globalThis)) {
  const runtime = "Deno" in globalThis ? "Deno" : "Node.js";
  throw new Error(
    `[omnisock] @omnisock/bun needs Bun, but this is ${runtime}: import "omnisock" (or @omnisock/${runtime === "Deno" ? "deno" : "node"}) instead.`,
  );
}

const api = createApi(driver);

export const { connect, listen, bind, lookup, probe, runtime, capabilities, monitor } = api;
export * from "@omnisock/core";
