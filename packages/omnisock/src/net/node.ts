// `omnisock/net` on Node: the shared implementation, bound to @omnisock/node.
import * as api from "@omnisock/node";
import * as net from "../internal/net/index.js";
import { bind } from "../internal/runtime.js";

export const { connect, createConnection, isIP, isIPv4, isIPv6, Socket, startTls, TLSSocket } =
  bind(api, net);
