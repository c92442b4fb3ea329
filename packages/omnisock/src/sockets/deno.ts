// `omnisock/sockets` on Deno: the shared implementation, bound to @omnisock/deno.
import * as api from "@omnisock/deno";
import * as sockets from "../internal/sockets/socket.js";
import { bind } from "../internal/runtime.js";

export const { connect, Socket } = bind(api, sockets);
