// The hooks hand out what the factory says: omnisock/net for every driver in `npm test`, unless
// OMNISOCK_DRIVER_SOCKET picks the runtime's own node:net for a comparison run.
import { Socket as NodeSocket } from "node:net";
import { describe, expect, it } from "vitest";
import * as omnisockNet from "omnisock/net";
import { driverSockets, socketOverride } from "../src/socket-factory.js";
import { hooks } from "./helpers.js";

const expected = socketOverride() ?? "omnisock/net";

describe(`socket hooks (${expected})`, () => {
  it("every driver is on omnisock/net unless the run asks for another module", () => {
    expect(Object.values(driverSockets).every((module) => module === "omnisock/net")).toBe(true);
    expect(Object.values(hooks.modules).every((module) => module === expected)).toBe(true);
  });

  it("node-postgres's hook hands out that module's Socket", () => {
    const socket = hooks.nodePostgres();
    try {
      if (expected === "omnisock/net") {
        expect(socket).toBeInstanceOf(omnisockNet.Socket);
        expect(socket).not.toBeInstanceOf(NodeSocket);
      } else {
        expect(socket).toBeInstanceOf(NodeSocket);
      }
    } finally {
      socket.destroy();
    }
  });
});
