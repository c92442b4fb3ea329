// Unix-domain stream sockets: a path in the temp dir, and a Linux abstract name.
import { describe, expect, it } from "vitest";
import type { Api, ConformanceContext } from "../context.js";
import {
  ByteReader,
  connectTo,
  defer,
  echo,
  expectSocketError,
  text,
  uniqueName,
  within,
} from "../helpers.js";

/** A socket path that does not exist yet, in the runtime's temp dir. */
export function socketPath(context: ConformanceContext): string {
  const directory = (context.tempDir ?? ".").replace(/\/+$/, "");
  return `${directory}/omnisock-${uniqueName()}.sock`;
}

export function unixCases(api: Api, context: ConformanceContext): void {
  const { unix, unixAbstract } = api.capabilities;

  describe("unix", () => {
    it.skipIf(!unix || context.tempDir === undefined)(
      "echoes over a socket file; addresses name the path",
      async () => {
        const path = socketPath(context);
        const server = await api.listen({ path }, echo);
        defer(() => server.close({ graceful: false }));
        expect(server.address).toEqual({ transport: "unix", path });
        const client = await connectTo(api, { path });
        expect(client.transport).toBe("unix");
        expect(client.remoteAddress).toEqual({ transport: "unix", path });
        expect(client.localAddress.transport).toBe("unix");
        client.write("over a unix socket");
        expect(await new ByteReader(client).readText(18)).toBe("over a unix socket");
        await within(2_000, "close", client.close());
        expect(client.remoteAddress).toEqual({ transport: "unix", path });
      },
    );

    it.skipIf(!unix || context.tempDir === undefined)(
      "connects to a target written unix:///path",
      async () => {
        const path = socketPath(context);
        const server = await api.listen({ path }, echo);
        defer(() => server.close({ graceful: false }));
        const client = await connectTo(api, `unix://${path}`);
        client.write("url");
        expect(text(await new ByteReader(client).read(3))).toBe("url");
      },
    );

    it.skipIf(!unix || context.tempDir === undefined)(
      "connect to a path nobody listens on: ECONNREFUSED",
      async () => {
        await expectSocketError("ECONNREFUSED", () => api.connect({ path: socketPath(context) }));
      },
    );

    it.skipIf(!unix || context.tempDir === undefined)("a busy path: EADDRINUSE", async () => {
      const path = socketPath(context);
      const server = await api.listen({ path });
      defer(() => server.close({ graceful: false }));
      await expectSocketError("EADDRINUSE", () => api.listen({ path }));
    });

    it.skipIf(!unixAbstract)(
      "echoes over an abstract name (@name), which leaves no file",
      async () => {
        const path = `@omnisock-test-${uniqueName()}`;
        const server = await api.listen({ path }, echo);
        defer(() => server.close({ graceful: false }));
        expect(server.address).toEqual({ transport: "unix", path });
        const client = await connectTo(api, `unix:${path}`);
        expect(client.remoteAddress).toEqual({ transport: "unix", path });
        client.write("abstract");
        expect(await new ByteReader(client).readText(8)).toBe("abstract");
      },
    );

    it.runIf(!unix)(
      "Unix sockets unsupported (capabilities.unix false): listen and connect are ENOTSUP",
      async () => {
        for (const attempt of [
          () => api.listen({ path: socketPath(context) }),
          () => api.connect({ path: socketPath(context) }),
        ]) {
          const error = await expectSocketError("ENOTSUP", attempt);
          expect(error.message).toContain(api.runtime);
        }
      },
    );

    it.runIf(unix && !unixAbstract)(
      "abstract names unsupported (capabilities.unixAbstract false): ENOTSUP",
      async () => {
        const path = `@omnisock-test-${uniqueName()}`;
        for (const attempt of [() => api.listen({ path }), () => api.connect(`unix:${path}`)]) {
          const error = await expectSocketError("ENOTSUP", attempt);
          expect(error.message).toContain(api.runtime);
        }
      },
    );
  });
}
