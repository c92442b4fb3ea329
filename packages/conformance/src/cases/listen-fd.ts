// listen({ fd }): a listening socket inherited from the parent process, as systemd hands over.
import { describe, expect, it } from "vitest";
import type { Api, ConformanceContext } from "../context.js";
import { ByteReader, connectTo, defer, text, within } from "../helpers.js";

export function listenFdCases(api: Api, context: ConformanceContext): void {
  const { inheritedListener } = context;

  describe("listen({ fd })", () => {
    it.runIf(api.capabilities.listenFd && inheritedListener !== undefined)(
      "a process serves on an inherited listening socket; its address is the socket's",
      async () => {
        const listener = await inheritedListener!();
        defer(() => listener.close());
        expect(listener.address).toMatchObject({ transport: "tcp", hostname: "127.0.0.1" });
        for (const message of ["first", "second"]) {
          const client = await connectTo(api, listener.address);
          client.write(message);
          expect(text(await new ByteReader(client).read(message.length))).toBe(message);
          await within(2_000, "close", client.close());
        }
      },
    );

    it.runIf(api.capabilities.listenFd)(
      "an fd that is not a listening socket is a SocketError, not a crash",
      async () => {
        // 2^31 - 1: a descriptor no process has open.
        const error = await api.listen({ fd: 2_147_483_647 }).then(
          (server) => server.close({ graceful: false }).then(() => new Error("listen succeeded")),
          (caught: unknown) => caught,
        );
        expect((error as { name?: string }).name).toBe("SocketError");
      },
    );
  });
}
