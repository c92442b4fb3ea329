import { createApi } from "@omnisock/core/driver";
import { driver } from "./internal/driver.js";

// A driver loaded on the wrong runtime fails at once rather than half-working through a
// compatibility layer. Bun and Deno each have their own package, and `omnisock` picks it.
if ("Bun" in globalThis || "Deno" in globalThis) {
  const runtime = "Bun" in globalThis ? "Bun" : "Deno";
  throw new Error(
    `[omnisock] @omnisock/node needs Node.js, but this is ${runtime}: import "omnisock" (or @omnisock/${runtime.toLowerCase()}) instead.`,
  );
}

const api = createApi(driver);

export const { connect, listen, bind, lookup, probe, runtime, capabilities, monitor } = api;
export * from "@omnisock/core";
