// `omnisock/net` on Deno: the shared implementation, bound to @omnisock/deno.
import * as api from "@omnisock/deno";
import * as net from "../internal/net/index.js";
import { bind } from "../internal/runtime.js";

export const { connect, createConnection, isIP, isIPv4, isIPv6, Socket, startTls, TLSSocket } =
  bind(api, net);
