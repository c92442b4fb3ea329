import * as api from "@omnisock/bun";
import { defineConformance } from "../src/suite.js";
import { bunContext } from "./bun/context.js";

defineConformance(api, bunContext);
