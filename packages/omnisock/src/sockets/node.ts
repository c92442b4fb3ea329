// `omnisock/sockets` on Node: the shared implementation, bound to @omnisock/node.
import * as api from "@omnisock/node";
import * as sockets from "../internal/sockets/socket.js";
import { bind } from "../internal/runtime.js";

export const { connect, Socket } = bind(api, sockets);
