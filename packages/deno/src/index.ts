import { createApi } from "@omnisock/core/driver";
import { driver } from "./internal/driver.js";

// A driver loaded on the wrong runtime fails at once rather than half-working. The check
// itself sits in ./internal/deno.ts, the first module to touch `Deno`; Node and Bun each
// have their own package, and `omnisock` picks it.
const api = createApi(driver);

export const { connect, listen, bind, lookup, probe, runtime, capabilities, monitor } = api;
export * from "@omnisock/core";
