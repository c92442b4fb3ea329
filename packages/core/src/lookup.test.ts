import { describe, expect, it } from "vitest";
import { SocketError } from "./error.js";
import { answeredAddresses } from "./lookup.js";

describe("answeredAddresses", () => {
  it("gives the addresses in the resolver's order", () => {
    const answer = [{ address: "::1" }, { address: "127.0.0.1" }];
    expect(answeredAddresses(answer, "localhost", "lookup")).toEqual(["::1", "127.0.0.1"]);
  });

  it("fails an empty answer with ENOTFOUND, naming the host and the operation", () => {
    let thrown: unknown;
    try {
      answeredAddresses([], "example.test", "connect");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SocketError);
    expect(thrown).toMatchObject({
      code: "ENOTFOUND",
      syscall: "connect",
      address: undefined,
      message: "ENOTFOUND: connect example.test found no address",
    });
  });
});
