// `omnisock/sockets` on Bun: the shared implementation, bound to @omnisock/bun.
import * as api from "@omnisock/bun";
import * as sockets from "../internal/sockets/socket.js";
import { bind } from "../internal/runtime.js";

export const { connect, Socket } = bind(api, sockets);
