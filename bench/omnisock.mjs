// omnisock as users get it: the `omnisock` package, which picks the running runtime's driver
// by export condition. A wrong pick would measure the wrong thing, so it fails at once.
import * as omnisock from "omnisock";
import { runtime } from "./lib.mjs";

if (omnisock.runtime !== runtime) {
  throw new Error(`omnisock picked the ${omnisock.runtime} driver on ${runtime}`);
}

export { omnisock };
