import * as api from "@omnisock/node";
import { defineConformance } from "../src/suite.js";
import { nodeContext } from "./node/context.js";

defineConformance(api, nodeContext);
