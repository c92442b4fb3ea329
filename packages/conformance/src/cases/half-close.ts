// Half-close (FIN one way, data still flowing the other) and the state machine around it.
import { describe, expect, it } from "vitest";
import type { Api } from "../context.js";
import {
  ByteReader,
  acceptingServer,
  connectTo,
  expectSyncSocketError,
  text,
  within,
} from "../helpers.js";

export function halfCloseCases(api: Api): void {
  const { halfOpen } = api.capabilities;

  describe("half-close", () => {
    it.skipIf(!halfOpen)(
      "allowHalfOpen: the client ends, the server reads to the end and still answers",
      async () => {
        const { server, accepted } = await acceptingServer(api, { allowHalfOpen: true });
        const client = await connectTo(api, server.address, { allowHalfOpen: true });
        const peer = await accepted();
        expect(client.state).toBe("open");
        client.write("request");
        await within(2_000, "end", client.end());
        expect(client.state).toBe("writeClosed");
        // The server's iteration ends at the client's FIN; its socket is then read-closed.
        expect(text(await new ByteReader(peer).readToEnd())).toBe("request");
        expect(peer.state).toBe("readClosed");
        expect(peer.write("answer after your FIN")).toBe(true);
        await within(2_000, "peer end", peer.end());
        expect(text(await new ByteReader(client).readToEnd())).toBe("answer after your FIN");
        // Both directions done: both sockets close by themselves.
        await within(2_000, "client closed", client.closed);
        await within(2_000, "peer closed", peer.closed);
        expect(client.state).toBe("closed");
        expect(peer.state).toBe("closed");
      },
    );

    it.skipIf(!halfOpen)(
      "allowHalfOpen: the server ends, the client reads to the end and still answers",
      async () => {
        const { server, accepted } = await acceptingServer(api, { allowHalfOpen: true });
        const client = await connectTo(api, server.address, { allowHalfOpen: true });
        const peer = await accepted();
        peer.write("greeting");
        await within(2_000, "peer end", peer.end());
        expect(peer.state).toBe("writeClosed");
        expect(text(await new ByteReader(client).readToEnd())).toBe("greeting");
        expect(client.state).toBe("readClosed");
        client.write("reply after your FIN");
        await within(2_000, "client end", client.end());
        expect(text(await new ByteReader(peer).readToEnd())).toBe("reply after your FIN");
        await within(2_000, "client closed", client.closed);
        await within(2_000, "peer closed", peer.closed);
      },
    );

    it("default (allowHalfOpen false): the peer's FIN closes the socket once its queue is sent", async () => {
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address);
      const peer = await accepted();
      // The server queues a megabyte, then the client half-closes at once.
      const payload = new Uint8Array(1024 * 1024).fill(42);
      peer.write(payload);
      await within(2_000, "client end", client.end());
      // The server socket closes by itself, but only after sending everything queued.
      const received = await new ByteReader(client).readToEnd(5_000);
      expect(received.byteLength).toBe(payload.byteLength);
      await within(2_000, "peer closed", peer.closed);
      expect(peer.state).toBe("closed");
      await within(2_000, "client closed", client.closed);
      expect(client.state).toBe("closed");
    });

    it("state: open, then writeClosed after end(), then closed when the peer ends too", async () => {
      const { server, accepted } = await acceptingServer(api);
      const client = await connectTo(api, server.address);
      const peer = await accepted();
      expect(client.state).toBe("open");
      expect(peer.state).toBe("open");
      const ending = client.end();
      // end() is immediate for the socket's own bookkeeping: writing is over.
      expectSyncSocketError("ECLOSED", () => client.write("late"));
      await within(2_000, "end", ending);
      expect(client.state).toBe("writeClosed");
      // The peer (default allowHalfOpen) answers the FIN with its own: the client is closed.
      expect((await new ByteReader(client).readToEnd()).byteLength).toBe(0);
      await within(2_000, "client closed", client.closed);
      expect(client.state).toBe("closed");
      await within(2_000, "peer closed", peer.closed);
      expect(peer.state).toBe("closed");
    });

    it.skipIf(!halfOpen)(
      "state: readClosed when the peer ends and allowHalfOpen is on",
      async () => {
        const { server, accepted } = await acceptingServer(api, { allowHalfOpen: true });
        const client = await connectTo(api, server.address, { allowHalfOpen: true });
        const peer = await accepted();
        await within(2_000, "peer end", peer.end());
        expect((await new ByteReader(client).readToEnd()).byteLength).toBe(0);
        expect(client.state).toBe("readClosed");
        // Still writable.
        expect(client.write("still here")).toBe(true);
        expect(await new ByteReader(peer).readText(10)).toBe("still here");
        await within(2_000, "close", client.close());
        expect(client.state).toBe("closed");
      },
    );
  });
}
