// `omnisock` is the driver of the runtime that runs it: the package.json export conditions
// ("bun", "deno", "node") pick it, not a check at run time.
import { describe, expect, it } from "vitest";
import * as omnisock from "omnisock";

const expected = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";

describe(`omnisock on ${expected}`, () => {
  it("is the running runtime's driver", () => {
    expect(omnisock.runtime).toBe(expected);
  });

  it("exports the whole API", () => {
    expect(omnisock.capabilities).toBeTypeOf("object");
    for (const name of ["connect", "listen", "bind", "lookup", "probe"] as const) {
      expect(omnisock[name], name).toBeTypeOf("function");
    }
    expect(omnisock.monitor.sockets).toBeTypeOf("function");
    expect(omnisock.parseAddress("127.0.0.1:80")).toMatchObject({ transport: "tcp", port: 80 });
  });
});
