// `omnisock/net` on Node (and for require() on Deno): the shared implementation, bound to the
// driver `#driver` resolves to, as in ../node.ts.
import * as api from "#driver";
import * as net from "../internal/net/index.js";
import { bind } from "../internal/runtime.js";

export const { connect, createConnection, isIP, isIPv4, isIPv6, Socket, startTls, TLSSocket } =
  bind(api, net);
