// `omnisock/sockets` on Node (and for require() on Deno): the shared implementation, bound to
// the driver `#driver` resolves to, as in ../node.ts.
import * as api from "#driver";
import * as sockets from "../internal/sockets/socket.js";
import { bind } from "../internal/runtime.js";

export const { connect, Socket } = bind(api, sockets);
