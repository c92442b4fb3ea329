// omnisock as users get it: the `omnisock` package, which picks the running runtime's driver
// by export condition. A wrong pick would measure the wrong thing, so it fails at once.
import * as api from "omnisock";
import { runtime } from "./lib.mjs";

if (api.runtime !== runtime)
  throw new Error(`omnisock picked the ${api.runtime} driver on ${runtime}`);

/** @returns {Promise<{ api: import("omnisock"), name: string }>} */
export async function loadOmnisock() {
  return { api, name: "omnisock" };
}
