// omnisock/net against node:net's own expectations: the cases of nodejs/node's
// test/parallel/test-net-*.js that apply to a client socket (named on each case), ported as
// expectations against real sockets on loopback, on every runtime.
import { Buffer } from "node:buffer";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { capabilities, listen, monitor, type MonitorEvent } from "omnisock";
import * as net from "omnisock/net";
import {
  caCert,
  defer,
  echo,
  nextEvent,
  readAll,
  record,
  serve,
  sleep,
  startTlsServer,
  text,
  until,
  within,
} from "./peers.test-helper.js";

/** A shim socket connecting to 127.0.0.1:`port`, destroyed when the case ends. */
function dial(port: number, options: net.SocketConstructorOpts & { timeout?: number } = {}) {
  const socket = net.createConnection({ ...options, port, host: "127.0.0.1" });
  defer(() => socket.destroy());
  return socket;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = await listen({ hostname: "127.0.0.1", port: 0 });
  const { address } = server;
  await server.close();
  return address.transport === "unix" ? 0 : address.port;
}

describe("isIP, isIPv4, isIPv6 (test-net-isip)", () => {
  const cases: [unknown, 0 | 4 | 6][] = [
    ["127.0.0.1", 4],
    ["x127.0.0.1", 0],
    ["example.com", 0],
    ["0000:0000:0000:0000:0000:0000:0000:0000", 6],
    ["0000:0000:0000:0000:0000:0000:0000:0000::0000", 0],
    ["1050:0:0:0:5:600:300c:326b", 6],
    ["2001:252:0:1::2008:6", 6],
    ["2001::", 6],
    ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 6],
    [":2001:252:0:1::2008:6:", 0],
    [":2001:252:0:1::2008:6", 0],
    ["2001:252:0:1::2008:6:", 0],
    ["2001:252::1::2008:6", 0],
    ["::2001:252:1:2008:6", 6],
    ["::2001:252:1:1.1.1.1", 6],
    ["::2001:252:1:255.255.255.255", 6],
    ["::2001:252:1:255.255.255.255.76", 0],
    ["::anything", 0],
    ["::1", 6],
    ["::", 6],
    ["0000:0000:0000:0000:0000:0000:12345:0000", 0],
    ["0", 0],
    [undefined, 0],
    ["", 0],
    [null, 0],
    [123, 0],
    [true, 0],
    [{}, 0],
    [{ toString: () => "::2001:252:1:255.255.255.255" }, 6],
    [{ toString: () => "127.0.0.1" }, 4],
    [{ toString: () => "bla" }, 0],
  ];

  it.each(cases)("isIP(%o) is %i", (input, family) => {
    expect(net.isIP(input)).toBe(family);
    expect(net.isIPv4(input)).toBe(family === 4);
    expect(net.isIPv6(input)).toBe(family === 6);
  });
});

describe("connect()'s arguments (test-net-connect-options-port)", () => {
  // Each form as createConnection(), connect() and new Socket().connect().
  const forms: ((...args: unknown[]) => net.Socket)[] = [
    (...args) => (net.createConnection as (...args: unknown[]) => net.Socket)(...args),
    (...args) => (net.connect as (...args: unknown[]) => net.Socket)(...args),
    (...args) => (new net.Socket().connect as (...args: unknown[]) => net.Socket)(...args),
  ];

  function throwsFor(args: unknown[], code: string, name: string) {
    for (const form of forms) {
      let socket: net.Socket | undefined;
      expect(() => (socket = form(...args)), JSON.stringify(args)).toThrow(
        expect.objectContaining({ code, name }),
      );
      expect(socket).toBeUndefined();
    }
  }

  it("a port of the wrong type: ERR_INVALID_ARG_TYPE, thrown before any I/O", () => {
    for (const port of [true, false, null]) {
      throwsFor([port], "ERR_INVALID_ARG_TYPE", "TypeError");
      throwsFor([port, "localhost"], "ERR_INVALID_ARG_TYPE", "TypeError");
    }
    for (const port of [true, false, null, [], {}]) {
      throwsFor([{ port }], "ERR_INVALID_ARG_TYPE", "TypeError");
      throwsFor([{ port, host: "localhost" }], "ERR_INVALID_ARG_TYPE", "TypeError");
    }
  });

  it("a port out of range: ERR_SOCKET_BAD_PORT", () => {
    for (const port of ["", " ", Number.NaN, Infinity, -1, 65536]) {
      throwsFor([port], "ERR_SOCKET_BAD_PORT", "RangeError");
      throwsFor([port, "localhost"], "ERR_SOCKET_BAD_PORT", "RangeError");
    }
    for (const port of ["", " ", "0x", "-0x1", Number.NaN, Infinity, -1, 65536]) {
      throwsFor([{ port }], "ERR_SOCKET_BAD_PORT", "RangeError");
    }
  });

  it("neither port nor path: ERR_MISSING_ARGS; a host of the wrong type: ERR_INVALID_ARG_TYPE", () => {
    throwsFor([{}], "ERR_MISSING_ARGS", "TypeError");
    throwsFor([{ port: 80, host: 42 }], "ERR_INVALID_ARG_TYPE", "TypeError");
    throwsFor([{ path: 42 }], "ERR_INVALID_ARG_TYPE", "TypeError");
  });

  it("port, string port, hex port; with and without host; with a listener or 'connect'", async () => {
    const server = await serve(async (socket) => {
      socket.write("ok");
      await socket.end();
    });
    const port = server.port;
    const spellings = [port, String(port), `0x${port.toString(16)}`];
    const argumentLists = spellings.flatMap((spelled) => [
      [spelled],
      [spelled, "127.0.0.1"],
      [{ port: spelled }],
      [{ port: spelled, host: "127.0.0.1" }],
    ]);
    const replies: Promise<string>[] = [];
    for (const [index, args] of argumentLists.entries()) {
      for (const form of forms) {
        const withListener = index % 2 === 0;
        let listened = false;
        const socket = withListener
          ? form(...args, () => (listened = true))
          : form(...args).on("connect", () => (listened = true));
        defer(() => socket.destroy());
        replies.push(
          readAll(socket).then((reply) => {
            expect(listened).toBe(true);
            return reply;
          }),
        );
      }
    }
    expect(await within(10_000, "every reply", Promise.all(replies))).toEqual(
      replies.map(() => "ok"),
    );
  });

  it("connection refused: 'error' with ECONNREFUSED then 'close' with hadError, no 'connect'", async () => {
    const port = await closedPort();
    const socket = dial(port);
    const events = record(socket, ["connect", "ready", "error", "close"]);
    const [[error]] = await Promise.all([nextEvent(socket, "error"), nextEvent(socket, "close")]);
    expect(error).toMatchObject({ code: "ECONNREFUSED", syscall: "connect" });
    expect(events).toEqual(["error", "close:true"]);
    expect(socket.destroyed).toBe(true);
    expect(socket.readyState).toBe("closed");
  });

  it("a name that does not resolve (.invalid): 'error' with ENOTFOUND (test-net-dns-error)", async () => {
    const socket = net.connect({ port: 80, host: "no-such-host.invalid" });
    defer(() => socket.destroy());
    const [error] = await nextEvent(socket, "error", 10_000);
    expect(error).toMatchObject({ code: "ENOTFOUND" });
  });

  it("end() right after connect(): the error still comes as an event (test-net-connect-immediate-finish)", async () => {
    const port = await closedPort();
    const socket = dial(port);
    socket.end();
    const [error] = await nextEvent(socket, "error");
    expect(error).toMatchObject({ code: "ECONNREFUSED" });
  });
});

describe("events in node:net's order", () => {
  it("'connect', 'ready', 'data', 'end', 'close' without error; readyState along the way", async () => {
    const server = await serve(async (socket) => {
      socket.write("foo");
      await socket.end();
      for await (const _ of socket);
    });
    const socket = dial(server.port);
    const events = record(socket, ["connect", "ready", "data", "end", "finish", "close"]);
    expect(socket.readyState).toBe("opening");
    expect(socket.connecting).toBe(true);
    expect(socket.pending).toBe(true);
    await nextEvent(socket, "connect");
    expect(socket.readyState).toBe("open");
    expect(socket.connecting).toBe(false);
    expect(socket.pending).toBe(false);
    expect(await readAll(socket)).toBe("foo");
    await nextEvent(socket, "close");
    // Not half-open: the peer's FIN is answered with ours ('finish'), then the socket closes.
    expect(events).toEqual(["connect", "ready", "data", "end", "finish", "close:false"]);
    expect(socket.readyState).toBe("closed");
    expect(socket.destroyed).toBe(true);
  });

  it("'close' comes after 'end' when the reader is late (test-net-socket-close-after-end)", async () => {
    const server = await serve(async (socket) => {
      socket.write("foo");
      await socket.end();
      for await (const _ of socket);
    });
    const socket = dial(server.port, { allowHalfOpen: false });
    const events = record(socket, ["end", "close"]);
    socket.on("connect", () => socket.end("foo"));
    // Read only 100 ms after the data is there: the peer's FIN waits behind it.
    socket.once("readable", () => setTimeout(() => socket.read(), 100));
    await nextEvent(socket, "close");
    expect(events).toEqual(["end", "close:false"]);
  });

  it("a 'ready' without a connect listener (test-net-socket-ready-without-cb)", async () => {
    const server = await echo();
    const socket = new net.Socket();
    defer(() => socket.destroy());
    socket.connect({ port: server.port, host: "127.0.0.1" });
    await nextEvent(socket, "ready");
    expect(socket.readyState).toBe("open");
  });
});

describe("writing", () => {
  it("bytesWritten counts a write queued while connecting, in bytes not characters (test-net-connect-buffer, test-net-bytes-stats)", async () => {
    let received = "";
    const server = await serve(async (socket) => {
      for await (const chunk of socket) received += text(chunk);
      socket.write("ok");
      await socket.end();
    });
    const socket = new net.Socket();
    defer(() => socket.destroy());
    socket.connect(server.port, "127.0.0.1");
    expect(socket.readyState).toBe("opening");
    for (const value of [null, true, false, undefined, 1, Infinity, [], {}]) {
      expect(() => socket.write(value), String(value)).toThrow(TypeError);
    }
    const first = "L'État, c'est ";
    let written = false;
    socket.write(first, () => (written = true));
    expect(socket.bytesWritten).toBe(Buffer.byteLength(first));
    socket.end("moi");
    expect(socket.readyState).toBe("opening");
    const reply = await readAll(socket);
    expect(written).toBe(true);
    expect(received).toBe("L'État, c'est moi");
    expect(reply).toBe("ok");
    expect(socket.bytesWritten).toBe(Buffer.byteLength("L'État, c'est moi"));
    expect(socket.bytesRead).toBe(2);
  });

  it("write() after end(): ERR_STREAM_WRITE_AFTER_END, to the callback and as 'error'", async () => {
    const server = await echo();
    const socket = dial(server.port);
    await nextEvent(socket, "connect");
    socket.end();
    const failed = new Promise((resolve) => socket.write("late", resolve));
    const [error] = await nextEvent(socket, "error");
    expect(error).toMatchObject({ code: "ERR_STREAM_WRITE_AFTER_END" });
    expect(await within(2_000, "write callback", failed)).toMatchObject({
      code: "ERR_STREAM_WRITE_AFTER_END",
    });
  });

  it("write() after the peer's FIN and our end(): EPIPE, reported on the next tick (test-net-write-after-end-nt)", async () => {
    const server = await serve(async (socket) => {
      await socket.end();
      for await (const _ of socket);
    });
    const socket = dial(server.port);
    socket.on("connect", () => socket.end());
    let errored = false;
    socket.on("error", () => (errored = true));
    // Written from the 'end' listener: right after it the socket closes.
    const failed = new Promise((resolve) =>
      socket.on("end", () => {
        expect(socket.write("hello", resolve)).toBe(false);
        expect(errored).toBe(false);
      }),
    );
    expect(await within(2_000, "write callback", failed)).toMatchObject({ code: "EPIPE" });
    await until(2_000, "'error'", () => errored);
  });

  it("write() returns false at highWaterMark, writableNeedDrain is true, 'drain' follows; nothing is dropped", async () => {
    const size = 64 * 1024;
    let release!: () => void;
    const go = new Promise<void>((resolve) => (release = resolve));
    let received = 0;
    let sum = 0;
    const server = await serve(async (socket) => {
      await go;
      for await (const data of socket) {
        received += data.byteLength;
        for (const byte of data) sum = (sum + byte) % 65_521;
      }
    });
    const socket = dial(server.port);
    await nextEvent(socket, "connect");
    let writes = 0;
    let expectedSum = 0;
    // The peer does not read: the kernel's buffers fill, then omnisock's queue, then the stream's.
    while (writes < 1_000) {
      // A new chunk each time: the caller may not change one before its write's callback.
      const chunk = Buffer.alloc(size, writes % 251);
      expectedSum = (expectedSum + (writes % 251) * size) % 65_521;
      writes++;
      if (!socket.write(chunk)) break;
    }
    expect(writes).toBeLessThan(1_000);
    expect(socket.writableNeedDrain).toBe(true);
    release();
    await nextEvent(socket, "drain", 10_000);
    expect(socket.writableNeedDrain).toBe(false);
    socket.end();
    await nextEvent(socket, "finish", 10_000);
    await until(10_000, "every byte at the peer", () => received === writes * size);
    expect(sum).toBe(expectedSum);
    expect(socket.bytesWritten).toBe(writes * size);
  });

  it("cork() then uncork(): the corked writes leave as one omnisock write, in order", async () => {
    const received: string[] = [];
    const server = await serve(async (socket) => {
      for await (const chunk of socket) received.push(text(chunk));
    });
    const socket = dial(server.port);
    await nextEvent(socket, "connect");
    const sends: MonitorEvent[] = [];
    const stop = monitor.subscribe((event) => {
      if (event.type === "send") sends.push(event);
    });
    defer(stop);
    const entry = monitor
      .sockets()
      .find(
        ({ role, localAddress }) =>
          role === "client" &&
          localAddress.transport === "tcp" &&
          localAddress.port === socket.localPort,
      );
    expect(entry).toBeDefined();
    socket.cork();
    expect(socket.write("a")).toBe(true);
    expect(socket.write("b")).toBe(true);
    expect(socket.write("c")).toBe(true);
    await sleep(50);
    expect(received).toEqual([]);
    socket.uncork();
    await until(2_000, "the corked bytes at the peer", () => received.join("") === "abc");
    const mine = sends.filter(({ id }) => id === entry!.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ bytes: 3 });
  });
});

describe("reading and backpressure", () => {
  it("pause() before the connection: no 'data' until resume() (test-net-pause-resume-connecting)", async () => {
    const server = await serve(async (socket) => {
      socket.write("This was the year he fell to pieces.");
      await socket.end();
      for await (const _ of socket);
    });
    const socket = dial(server.port);
    socket.pause();
    let received = "";
    socket.on("data", (chunk: Buffer) => {
      expect(Buffer.isBuffer(chunk)).toBe(true);
      received += chunk.toString();
    });
    await nextEvent(socket, "connect");
    await sleep(100);
    expect(received).toBe("");
    socket.resume();
    await nextEvent(socket, "end");
    expect(received).toBe("This was the year he fell to pieces.");
  });

  it("every chunk is a real Buffer over the bytes received, as the drivers' parsers read it", async () => {
    // 500 framed messages, in as many writes as the peer makes: each chunk goes through
    // Buffer's own methods (drivers parse with readUInt32BE, subarray, toString).
    const messages = Array.from(
      { length: 500 },
      (_, index) => `message ${index} ${"é".repeat(index % 7)}`,
    );
    const server = await serve(async (socket) => {
      for (const message of messages) {
        const body = new TextEncoder().encode(message);
        const frame = new Uint8Array(4 + body.length);
        new DataView(frame.buffer).setUint32(0, body.length);
        frame.set(body, 4);
        socket.write(frame);
        if (message.endsWith("0 ")) await sleep(1);
      }
      await socket.end();
      for await (const _ of socket);
    });
    const socket = dial(server.port);
    let pending = Buffer.alloc(0);
    const received: string[] = [];
    let notBuffers = 0;
    socket.on("data", (chunk: Buffer) => {
      if (!Buffer.isBuffer(chunk) || !Buffer.isBuffer(chunk.subarray(1))) notBuffers++;
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readUInt32BE(0)) {
        const length = pending.readUInt32BE(0);
        received.push(pending.toString("utf8", 4, 4 + length));
        pending = pending.subarray(4 + length);
      }
    });
    await nextEvent(socket, "end");
    expect(notBuffers).toBe(0);
    expect(received).toEqual(messages);
  });

  it("pause() pushes back on the peer through the kernel; resume() delivers every byte", async () => {
    const total = 32 * 1024 * 1024;
    let handed = 0;
    const server = await serve(async (socket) => {
      for (let sent = 0; sent < total; sent += 64 * 1024) {
        // A new chunk each time: omnisock sends a large one from the caller's memory.
        const chunk = new Uint8Array(64 * 1024).fill((sent / (64 * 1024)) % 251);
        if (!socket.write(chunk)) await socket.flush();
        handed = sent + chunk.length;
      }
      await socket.end();
      for await (const _ of socket);
    });
    const socket = dial(server.port);
    socket.pause();
    await nextEvent(socket, "connect");
    // The peer stalls: nothing more reaches the kernel while nobody reads.
    let before = -1;
    await until(10_000, "the peer stalled", () => {
      const stalled = handed === before;
      before = handed;
      return stalled && handed > 0;
    });
    await sleep(200);
    expect(handed).toBe(before);
    expect(handed).toBeLessThan(total);
    // What the stream took in while paused stays within its highWaterMark and one chunk.
    expect(socket.bytesRead).toBeLessThanOrEqual(2 * 64 * 1024 + socket.readableHighWaterMark);
    let received = 0;
    let wrong = 0;
    socket.on("data", (chunk: Buffer) => {
      for (let index = 0; index < chunk.length; index += 4096) {
        if (chunk[index] !== Math.floor((received + index) / (64 * 1024)) % 251) wrong++;
      }
      received += chunk.length;
    });
    socket.resume();
    await nextEvent(socket, "end", 20_000);
    expect(received).toBe(total);
    expect(wrong).toBe(0);
    expect(socket.bytesRead).toBe(total);
  });
});

describe("setTimeout() (test-net-settimeout, test-net-socket-timeout)", () => {
  it("'timeout' after the idle time; the socket stays open and usable", async () => {
    const server = await echo();
    const socket = dial(server.port);
    let fired = 0;
    expect(socket.setTimeout(50, () => fired++)).toBe(socket);
    expect(socket.timeout).toBe(50);
    await nextEvent(socket, "timeout", 2_000);
    expect(fired).toBe(1);
    expect(socket.destroyed).toBe(false);
    expect(socket.readyState).toBe("open");
    socket.write("still here");
    const [reply] = await nextEvent(socket, "data");
    expect(String(reply)).toBe("still here");
  });

  it("setTimeout(0) right after setting one: no 'timeout'", async () => {
    const server = await echo();
    const socket = dial(server.port);
    let fired = false;
    socket.setTimeout(50, () => (fired = true));
    socket.setTimeout(0);
    expect(socket.timeout).toBeUndefined();
    await sleep(200);
    expect(fired).toBe(false);
  });

  it("activity postpones it; once idle it fires once", async () => {
    const server = await echo();
    const socket = dial(server.port);
    socket.on("data", () => {});
    await nextEvent(socket, "connect");
    let fired = 0;
    socket.setTimeout(150, () => fired++);
    for (let round = 0; round < 8; round++) {
      socket.write("x");
      await sleep(40);
    }
    expect(fired).toBe(0);
    await until(2_000, "'timeout'", () => fired === 1);
    await sleep(400);
    expect(fired).toBe(1);
  });

  it("after destroy(), setTimeout() returns the socket and never fires", async () => {
    const server = await echo();
    const socket = dial(server.port);
    await nextEvent(socket, "connect");
    socket.destroy();
    let fired = false;
    expect(socket.setTimeout(1, () => (fired = true))).toBe(socket);
    await sleep(50);
    expect(fired).toBe(false);
  });

  it("bad delays and callbacks throw node's codes", () => {
    const socket = new net.Socket();
    for (const delay of ["100", true, false, undefined, null, "", {}, () => {}, []]) {
      expect(() => socket.setTimeout(delay as number)).toThrow(
        expect.objectContaining({ code: "ERR_INVALID_ARG_TYPE" }),
      );
    }
    for (const delay of [-0.001, -1, -Infinity, Infinity, Number.NaN]) {
      expect(() => socket.setTimeout(delay)).toThrow(
        expect.objectContaining({ code: "ERR_OUT_OF_RANGE" }),
      );
    }
    for (const delay of [0, 0.001, 1, 1e6]) socket.setTimeout(delay, () => {});
    socket.setTimeout(0);
    for (const callback of [1, "100", true, false, null, {}, [], Symbol("test")]) {
      expect(() => socket.setTimeout(1, callback as () => void)).toThrow(
        expect.objectContaining({ code: "ERR_INVALID_ARG_TYPE", name: "TypeError" }),
      );
    }
  });

  it("the connect options' timeout starts it", async () => {
    const server = await echo();
    const socket = dial(server.port, { timeout: 30 });
    await nextEvent(socket, "timeout", 2_000);
    expect(socket.destroyed).toBe(false);
  });
});

describe("closing", () => {
  it("destroy(): 'close' without error and no 'error'; it returns the socket, twice (test-net-socket-destroy-send)", async () => {
    const server = await echo();
    const socket = dial(server.port);
    await nextEvent(socket, "connect");
    const events = record(socket, ["error", "close"]);
    expect(socket.destroy().destroy()).toBe(socket);
    await nextEvent(socket, "close");
    expect(events).toEqual(["close:false"]);
    expect(socket.destroyed).toBe(true);
  });

  it("destroy(error): 'error' with that error, then 'close' with hadError", async () => {
    const server = await echo();
    const socket = dial(server.port);
    await nextEvent(socket, "connect");
    const events = record(socket, ["error", "close"]);
    const failure = new Error("kaboom");
    const closed = nextEvent(socket, "close");
    const [[error]] = await Promise.all([
      nextEvent(socket, "error"),
      closed,
      socket.destroy(failure),
    ]);
    expect(error).toBe(failure);
    expect(events).toEqual(["error", "close:true"]);
  });

  it("destroy() while connecting: a queued write fails with ERR_SOCKET_CLOSED_BEFORE_CONNECTION, no 'connect' (test-net-write-cb-on-destroy-before-connect)", async () => {
    const server = await echo();
    const socket = new net.Socket();
    socket.on("connect", () => expect.unreachable("'connect' after destroy()"));
    socket.connect({ port: server.port, host: "127.0.0.1" });
    expect(socket.connecting).toBe(true);
    const failed = new Promise((resolve) => socket.write("foo", resolve));
    socket.destroy();
    expect(await within(2_000, "write callback", failed)).toMatchObject({
      code: "ERR_SOCKET_CLOSED_BEFORE_CONNECTION",
    });
    await nextEvent(socket, "close");
    await sleep(50);
  });

  it("after 'close', options and addresses still answer (test-net-after-close, test-net-remote-address-port)", async () => {
    const server = await serve((socket) => socket.end());
    const socket = dial(server.port);
    socket.resume();
    await nextEvent(socket, "close");
    expect(() => {
      socket.setNoDelay();
      socket.setKeepAlive();
      socket.pause();
      socket.resume();
      socket.address();
      socket.ref();
      socket.unref();
    }).not.toThrow();
    expect(socket.remoteAddress).toBe("127.0.0.1");
    expect(socket.remotePort).toBe(server.port);
    expect(socket.remoteFamily).toBe("IPv4");
  });

  it("not half-open (the default): the peer's FIN is answered with ours", async () => {
    let peerSawEnd = false;
    const server = await serve(async (socket) => {
      socket.write("bye");
      await socket.end();
      for await (const _ of socket);
      peerSawEnd = true;
    });
    const socket = dial(server.port);
    expect(await readAll(socket)).toBe("bye");
    await nextEvent(socket, "close");
    await until(2_000, "our FIN at the peer", () => peerSawEnd);
  });

  it("allowHalfOpen: after 'end' the socket stays writable until end() (test-net-allow-half-open)", async () => {
    let received = "";
    const server = await serve(async (socket) => {
      await socket.end();
      for await (const chunk of socket) received += text(chunk);
    });
    const socket = dial(server.port, { allowHalfOpen: true });
    socket.resume();
    await nextEvent(socket, "end");
    expect(socket.readyState).toBe("writeOnly");
    socket.end("reply after your FIN");
    await nextEvent(socket, "close");
    await until(2_000, "the reply at the peer", () => received === "reply after your FIN");
  });

  /** A peer that resets the connection once the client has written; the client's events. */
  async function resetByPeer(): Promise<{ socket: net.Socket; events: string[] }> {
    const server = await serve(async (socket) => {
      await socket[Symbol.asyncIterator]().next();
      await socket.reset();
    });
    const socket = dial(server.port);
    const events = record(socket, ["end", "error", "close"]);
    socket.resume();
    socket.write("go");
    return { socket, events };
  }

  it.runIf(capabilities.reset)(
    "a peer that resets: 'error' with ECONNRESET, then 'close' with hadError",
    async () => {
      const { socket, events } = await resetByPeer();
      const [[error]] = await Promise.all([nextEvent(socket, "error"), nextEvent(socket, "close")]);
      expect(error).toMatchObject({ code: "ECONNRESET" });
      expect(events).toEqual(["error", "close:true"]);
    },
  );

  it.runIf(!capabilities.reset)(
    "a peer that resets where the runtime sends no RST (capabilities.reset false): a clean end",
    async () => {
      const { socket, events } = await resetByPeer();
      await nextEvent(socket, "close");
      expect(events).toEqual(["end", "close:false"]);
    },
  );

  it.runIf(capabilities.reset)("resetAndDestroy(): the peer sees ECONNRESET", async () => {
    let peerError: unknown;
    const server = await serve(async (socket) => {
      try {
        for await (const _ of socket);
      } catch (error) {
        peerError = error;
      }
    });
    const socket = dial(server.port);
    await nextEvent(socket, "connect");
    socket.resetAndDestroy();
    await nextEvent(socket, "close");
    await until(2_000, "the peer's error", () => peerError !== undefined);
    expect(peerError).toMatchObject({ code: "ECONNRESET" });
  });
});

describe("addresses and options", () => {
  it("remoteAddress, remotePort, remoteFamily, localAddress, localPort, address() (test-net-local-address-port)", async () => {
    const server = await echo();
    const socket = new net.Socket();
    defer(() => socket.destroy());
    expect(socket.address()).toEqual({});
    expect(socket.remoteAddress).toBeUndefined();
    socket.connect(server.port, "127.0.0.1");
    await nextEvent(socket, "connect");
    expect(socket.remoteAddress).toBe("127.0.0.1");
    expect(socket.remotePort).toBe(server.port);
    expect(socket.remoteFamily).toBe("IPv4");
    expect(socket.localAddress).toBe("127.0.0.1");
    expect(socket.localPort).toBeGreaterThan(0);
    expect(socket.address()).toEqual({
      address: "127.0.0.1",
      family: "IPv4",
      port: socket.localPort,
    });
  });

  it("setNoDelay, setKeepAlive, ref and unref return the socket, before and after connecting", async () => {
    const server = await echo();
    const socket = new net.Socket();
    defer(() => socket.destroy());
    expect(socket.setNoDelay(false)).toBe(socket);
    expect(socket.setKeepAlive(true, 60_000)).toBe(socket);
    expect(socket.unref()).toBe(socket);
    expect(socket.ref()).toBe(socket);
    socket.connect(server.port, "127.0.0.1");
    await nextEvent(socket, "connect");
    expect(socket.setNoDelay(true)).toBe(socket);
    expect(socket.setKeepAlive(true, 1_000)).toBe(socket);
    expect(socket.setKeepAlive(false)).toBe(socket);
    expect(socket.unref()).toBe(socket);
    expect(socket.ref()).toBe(socket);
    socket.write("still works");
    const [reply] = await nextEvent(socket, "data");
    expect(String(reply)).toBe("still works");
  });

  it.runIf(capabilities.tlsUpgrade)(
    "setKeepAlive() on a TLS socket never throws, as node:net's; without TLS keepalive (capabilities.tlsKeepAlive) it does nothing",
    async () => {
      // postgres.js calls it on every connection, on the TLS socket its SSL hook hands over.
      const server = await startTlsServer("S");
      const plain = dial(server.port);
      await nextEvent(plain, "connect");
      plain.write("SSLRequest");
      const upgraded = new Promise<net.TLSSocket>((resolve) =>
        plain.once("data", () =>
          resolve(net.startTls({ socket: plain, ca: caCert, servername: "localhost" })),
        ),
      );
      const secure = await within(2_000, "the upgrade", upgraded);
      defer(() => secure.destroy());
      await nextEvent(secure, "secureConnect");
      expect(secure.setKeepAlive(true, 60_000)).toBe(secure);
      expect(secure.setKeepAlive(false)).toBe(secure);
      secure.write("still works");
      const [reply] = await nextEvent(secure, "data");
      expect(String(reply)).toBe("still works");
    },
  );

  it.runIf(capabilities.unix)("connect(path) to a Unix socket", async () => {
    const path = join(tmpdir(), `omnisock-net-${crypto.randomUUID().slice(0, 8)}.sock`);
    const server = await listen({ path }, async (socket) => {
      for await (const chunk of socket) socket.write(chunk);
      await socket.end();
    });
    defer(() => server.close({ graceful: false }));
    const socket = net.connect(path);
    defer(() => socket.destroy());
    await nextEvent(socket, "connect");
    expect(socket.remoteAddress).toBeUndefined();
    expect(socket.address()).toEqual({});
    socket.end("over a Unix socket");
    expect(await readAll(socket)).toBe("over a Unix socket");
  });
});
