import * as api from "@omnisock/deno";
import { defineConformance } from "../src/suite.js";
import { denoContext } from "./deno/context.js";

defineConformance(api, denoContext);
