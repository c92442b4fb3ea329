// Engine unit tests over a scripted fake driver: they pin down what the engine asks of a
// driver (coalescing, short writes, drain, pause). Real-socket behaviour is the
// conformance suite's job.
import { describe, expect, it } from "vitest";
import type { Capabilities } from "./capabilities.js";
import type { StreamHandle, StreamSink } from "./driver.js";
import { sinkBorrows, sinkClose, sinkData, sinkDrain, sinkEnd } from "./driver.js";
import { SocketError } from "./error.js";
import { lines } from "./framing.js";
import { monitor } from "./monitor.js";
import type { NormalizedStreamOptions } from "./options.js";
import { Socket, whenClosed } from "./socket.js";

class FakeStream implements StreamHandle {
  readonly localAddress = {
    transport: "tcp",
    hostname: "127.0.0.1",
    port: 1,
    family: "IPv4",
  } as const;
  readonly remoteAddress = {
    transport: "tcp",
    hostname: "127.0.0.1",
    port: 2,
    family: "IPv4",
  } as const;
  /** The socket's sink, by plain names. */
  sink!: {
    data(chunk: Uint8Array): void;
    end(): void;
    drain(): void;
    close(error?: SocketError): void;
  };
  writes: Uint8Array[] = [];
  /** How many bytes the next writes take; undefined takes all. */
  capacity: number | undefined;
  busy = false;
  paused = false;
  readsOnDemand = false;
  calls: string[] = [];
  start(sink: StreamSink) {
    this.sink = {
      data: (chunk) => sink[sinkData](chunk),
      end: () => sink[sinkEnd](),
      drain: () => sink[sinkDrain](),
      close: (error) => sink[sinkClose](error),
    };
  }
  write(data: Uint8Array) {
    const taken = this.capacity === undefined ? data.length : Math.min(this.capacity, data.length);
    if (this.capacity !== undefined) this.capacity -= taken;
    this.writes.push(data.slice(0, taken));
    return taken;
  }
  pause() {
    this.paused = true;
  }
  resume() {
    this.paused = false;
  }
  shutdown() {
    this.calls.push("shutdown");
  }
  close() {
    this.calls.push("close");
    this.sink.close();
  }
  reset() {
    this.calls.push("reset");
    this.sink.close();
  }
  setNoDelay() {}
  setKeepAlive() {}
  ref() {}
  unref() {}
  sent(): string {
    return new TextDecoder().decode(concat(this.writes));
  }
}

const defaults: NormalizedStreamOptions = {
  noDelay: true,
  keepAliveDelay: undefined,
  highWaterMark: 16,
  allowHalfOpen: false,
  idleTimeout: 0,
};

function open(
  options: Partial<NormalizedStreamOptions> = {},
  capabilities = {},
  handle = new FakeStream(),
) {
  const socket = new Socket(handle, { ...defaults, ...options }, "client", {
    runtime: "fake",
    capabilities: capabilities as never,
  });
  return { handle, socket };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

describe("Socket engine", () => {
  it("sends the first write of a tick at once and coalesces the rest into one driver write", async () => {
    const { handle, socket } = open({ highWaterMark: 1 << 20 });
    socket.write("a");
    expect(handle.sent()).toBe("a"); // a reply waits for nothing
    for (let i = 1; i < 1000; i++) socket.write(i % 2 ? "b" : new Uint8Array([97]));
    expect(handle.writes).toHaveLength(1);
    await socket.flush();
    expect(handle.writes).toHaveLength(2);
    expect(handle.sent()).toBe("ab".repeat(500));
    expect(socket.stats).toMatchObject({ bytesSent: 1000, packetsSent: 2 });
    // The next tick starts over: its first write leaves at once again.
    socket.write("c");
    expect(handle.writes).toHaveLength(3);
  });

  it("copies small writes, so the caller may reuse its buffer at once", async () => {
    const { handle, socket } = open();
    const buffer = new TextEncoder().encode("one");
    socket.write(buffer);
    buffer.set(new TextEncoder().encode("two"));
    socket.write(buffer);
    await socket.flush();
    expect(handle.sent()).toBe("onetwo");
  });

  it("keeps what a short write left, in order, and resumes on drain", async () => {
    const { handle, socket } = open({ highWaterMark: 8 });
    handle.capacity = 3;
    expect(socket.write("hello")).toBe(true);
    await tick();
    expect(handle.sent()).toBe("hel");
    expect(socket.write(" world")).toBe(false); // 2 + 6 queued ≥ 8
    let flushed = false;
    const flushing = socket.flush().then(() => (flushed = true));
    await tick();
    expect(flushed).toBe(false);
    handle.capacity = undefined;
    handle.sink.drain();
    await flushing;
    expect(handle.sent()).toBe("hello world");
    expect(socket.writableLength).toBe(0);
  });

  it("waits for drain while the driver is busy", async () => {
    const { handle, socket } = open();
    handle.busy = true;
    socket.write("a");
    await tick();
    socket.write("b");
    await tick();
    expect(handle.sent()).toBe("a");
    handle.busy = false;
    handle.sink.drain();
    await socket.flush();
    expect(handle.sent()).toBe("ab");
  });

  it("pauses reading at highWaterMark and resumes when the consumer reads", async () => {
    const { handle, socket } = open({ highWaterMark: 4 });
    handle.sink.data(new Uint8Array(3));
    expect(handle.paused).toBe(false);
    handle.sink.data(new Uint8Array(3));
    expect(handle.paused).toBe(true);
    const iterator = socket[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toHaveLength(3);
    expect(handle.paused).toBe(false);
    expect(socket.stats).toMatchObject({ bytesReceived: 6, packetsReceived: 2 });
  });

  it("reads on demand for a handle that cannot take a read back: only for a waiting reader after the first chunk", async () => {
    const handle = Object.assign(new FakeStream(), { readsOnDemand: true });
    const { socket } = open({}, {}, handle);
    // Until the first chunk one read is pending, so that a FIN is noticed with nobody reading.
    expect(handle.paused).toBe(false);
    handle.sink.data(new TextEncoder().encode("a"));
    expect(handle.paused).toBe(true);
    const iterator = socket[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toHaveLength(1);
    // Taken from the buffer: still nothing read ahead.
    expect(handle.paused).toBe(true);
    const next = iterator.next();
    expect(handle.paused).toBe(false);
    handle.sink.data(new TextEncoder().encode("bc"));
    // Handed to the reader: no read until it asks again (it may leave to start TLS).
    expect(handle.paused).toBe(true);
    expect((await next).value).toHaveLength(2);
    // After its FIN no upgrade can follow: it reads in the background again.
    await socket.end();
    expect(handle.calls).toContain("shutdown");
    expect(handle.paused).toBe(false);
    expect(socket.stats).toMatchObject({ bytesReceived: 3, packetsReceived: 2 });
  });

  it("return() of an iterator gives up its own waiting next(), and the socket reads on", async () => {
    const { handle, socket } = open();
    const first = socket[Symbol.asyncIterator]();
    const waiting = first.next();
    await first.return!();
    await expect(waiting).resolves.toEqual({ value: undefined, done: true });
    // Another iterator's return() does not touch a read that is not its own.
    const second = socket[Symbol.asyncIterator]();
    const mine = second.next();
    await socket[Symbol.asyncIterator]().return!();
    handle.sink.data(new TextEncoder().encode("x"));
    expect((await mine).value).toHaveLength(1);
    expect(socket.state).toBe("open");
  });

  it("delivers what was buffered before the end, then ends", async () => {
    const { handle, socket } = open({ allowHalfOpen: true });
    handle.sink.data(new TextEncoder().encode("x"));
    handle.sink.end();
    expect(socket.state).toBe("readClosed");
    const chunks: Uint8Array[] = [];
    for await (const chunk of socket) chunks.push(chunk);
    expect(new TextDecoder().decode(concat(chunks))).toBe("x");
    expect(socket.write("still writable")).toBe(true);
  });

  it("closes after flushing once the consumer reads to the peer's FIN, when allowHalfOpen is false", async () => {
    const { handle, socket } = open();
    handle.sink.data(new TextEncoder().encode("request"));
    handle.sink.end();
    for await (const chunk of socket) {
      expect(chunk).toHaveLength(7);
      socket.write("reply"); // the last bytes read can still be answered
    }
    await socket.closed;
    expect(handle.sent()).toBe("reply");
    expect(handle.calls).toEqual(["close"]);
    expect(socket.state).toBe("closed");
  });

  it("closes at the peer's FIN, after the queue, when nobody has read", async () => {
    const { handle, socket } = open();
    socket.write("bye");
    handle.sink.end();
    await socket.closed;
    expect(handle.sent()).toBe("bye");
    expect(handle.calls).toEqual(["close"]);
  });

  it("stays readClosed at the peer's FIN while a consumer is busy with the last chunk", async () => {
    const { handle, socket } = open();
    handle.sink.data(new TextEncoder().encode("request"));
    const iterator = socket[Symbol.asyncIterator]();
    await iterator.next();
    handle.sink.end();
    await tick();
    expect(socket.state).toBe("readClosed");
    socket.write("reply");
    expect((await iterator.next()).done).toBe(true);
    await socket.closed;
    expect(handle.sent()).toBe("reply");
  });

  it("end() sends FIN after the queue and refuses later writes with ECLOSED", async () => {
    const { handle, socket } = open();
    socket.write("last");
    await socket.end();
    expect(handle.calls).toEqual(["shutdown"]);
    expect(socket.state).toBe("writeClosed");
    expect(() => socket.write("more")).toThrow(SocketError);
    expect(() => socket.write("more")).toThrow(/ECLOSED/);
  });

  it("reports a driver error to the reader and to closed", async () => {
    const { handle, socket } = open();
    const reading = socket[Symbol.asyncIterator]().next();
    handle.sink.close(new SocketError("ECONNRESET", "reset by peer"));
    await expect(reading).rejects.toMatchObject({ code: "ECONNRESET" });
    await expect(socket.closed).rejects.toMatchObject({ code: "ECONNRESET" });
    expect(socket.stats.closedAt).toBeTypeOf("number");
  });

  it("rejects pending flushes when the socket dies with bytes unsent", async () => {
    const { handle, socket } = open();
    handle.capacity = 0;
    socket.write("never sent");
    const flushing = socket.flush();
    await tick();
    handle.sink.close(new SocketError("EPIPE", "broken pipe"));
    await expect(flushing).rejects.toMatchObject({ code: "EPIPE" });
  });
});

/** An accepted socket on a fake runtime that can (or cannot) upgrade one. */
function accepted(capabilities: Partial<Capabilities>) {
  const handle = new FakeStream();
  const platform = { runtime: "fake", capabilities: capabilities as Capabilities };
  return { handle, socket: new Socket(handle, defaults, "server", platform) };
}

const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const key = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

describe("startTls on an accepted socket", () => {
  it("checks the options as listen({ tls }) does, before ENOTSUP and before the driver", async () => {
    const { handle, socket } = accepted({ tlsServerUpgrade: false });
    await expect(socket.startTls({ key } as never)).rejects.toThrow(
      'The "options.cert" option is required',
    );
    await expect(socket.startTls({ cert: pem, key })).rejects.toMatchObject({ code: "ENOTSUP" });
    expect(socket.state).toBe("open");
    expect(handle.calls).toEqual([]);
  });

  it("refuses requestCert where the runtime cannot ask for client certificates", async () => {
    const { socket } = accepted({ tlsServerUpgrade: true, tlsClientAuth: false });
    const upgrade = socket.startTls({ cert: pem, key, ca: pem, requestCert: true });
    await expect(upgrade).rejects.toMatchObject({ code: "ENOTSUP" });
    expect(socket.state).toBe("open");
  });

  it("sends what was queued first, then hands the connection and its owner to the secure socket", async () => {
    const { handle, socket } = accepted({ tlsServerUpgrade: true, tlsClientAuth: true });
    const secure = new FakeStream();
    const tls = {
      protocol: "TLSv1.3",
      cipher: undefined,
      alpnProtocol: undefined,
      servername: undefined,
    };
    Object.assign(secure, { tls });
    let asked: unknown;
    Object.assign(handle, {
      startTlsServer: (options: unknown) => {
        asked = options;
        expect(handle.sent()).toBe("220 go ahead\r\n");
        expect(handle.paused).toBe(true);
        return Promise.resolve(secure);
      },
    });
    const owner: [Socket, Socket | undefined][] = [];
    socket[whenClosed] = (closed, successor) => owner.push([closed, successor]);
    socket.write("220 go ahead\r\n");
    const upgraded = await socket.startTls({ cert: pem, key, ca: pem, requestCert: true });
    expect(asked).toMatchObject({
      cert: pem,
      key,
      ca: [pem],
      requestCert: true,
      alpnProtocols: [],
    });
    expect(upgraded.secure).toBe(true);
    expect(upgraded.role).toBe("server");
    expect(socket.state).toBe("closed");
    await expect(socket.closed).resolves.toBeUndefined();
    expect(owner).toEqual([[socket, upgraded]]);
  });

  it("a failed handshake closes the plain socket with its error", async () => {
    const { handle, socket } = accepted({ tlsServerUpgrade: true });
    const refused = new SocketError("ETLS", "the client's certificate was refused");
    Object.assign(handle, { startTlsServer: () => Promise.reject(refused) });
    const owner: (Socket | undefined)[] = [];
    socket[whenClosed] = (_closed, successor) => owner.push(successor);
    await expect(socket.startTls({ cert: pem, key })).rejects.toBe(refused);
    expect(handle.calls).toContain("close");
    expect(socket.state).toBe("closed");
    await expect(socket.closed).rejects.toBe(refused);
    expect(owner).toEqual([undefined]);
  });
});

describe("Socket: what a framing decoder gives back", () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  const text = (chunk: Uint8Array | undefined) => new TextDecoder().decode(chunk);

  it("comes first, counts toward highWaterMark, and is not counted again in stats or the monitor", async () => {
    const { handle, socket } = open({ highWaterMark: 8 });
    const received: number[] = [];
    const stop = monitor.subscribe((event) => {
      if (event.type === "receive" && event.id === socket.id) received.push(event.bytes);
    });
    handle.sink.data(bytes("a\nbc\ndefg\n"));
    expect(handle.paused).toBe(true);
    const decoding = lines().decode(socket);
    expect((await decoding.next()).value).toBe("a");
    expect(handle.paused).toBe(false);
    handle.sink.data(bytes("h\n"));
    await decoding.return(undefined);
    // 8 bytes given back in front of the 2 buffered: over highWaterMark again.
    expect(handle.paused).toBe(true);
    const chunks = socket[Symbol.asyncIterator]();
    expect(text((await chunks.next()).value)).toBe("bc\ndefg\n");
    expect(handle.paused).toBe(false);
    expect(text((await chunks.next()).value)).toBe("h\n");
    stop();
    expect(socket.stats).toMatchObject({ bytesReceived: 12, packetsReceived: 2 });
    expect(received).toEqual([10, 2]);
  });

  it("goes to a read that is already waiting, before anything that arrives later", async () => {
    const { handle, socket } = open();
    handle.sink.data(bytes("a\nb\n"));
    const decoding = lines().decode(socket);
    expect((await decoding.next()).value).toBe("a");
    const reader = socket.readable.getReader();
    const waiting = reader.read();
    await decoding.return(undefined);
    handle.sink.data(bytes("c\n"));
    expect(text((await waiting).value)).toBe("b\n");
    expect(text((await reader.read()).value)).toBe("c\n");
  });

  it("makes startTls() refuse with ETLS and close the socket", async () => {
    const { handle, socket } = open({}, { tlsUpgrade: true });
    let upgraded = false;
    Object.assign(handle, { startTls: async () => ((upgraded = true), handle) });
    handle.sink.data(bytes("GO\nINJECTED"));
    for await (const line of lines().decode(socket)) if (line === "GO") break;
    await expect(socket.startTls()).rejects.toMatchObject({ code: "ETLS", syscall: "startTls" });
    expect(upgraded).toBe(false);
    expect(socket.state).toBe("closed");
  });

  it("makes startTls() refuse while the decode loop is still running, from inside it", async () => {
    const { handle, socket } = open({}, { tlsUpgrade: true });
    let upgraded = false;
    Object.assign(handle, { startTls: async () => ((upgraded = true), handle) });
    handle.sink.data(bytes("GO\nINJECTED"));
    const decoding = lines().decode(socket);
    expect((await decoding.next()).value).toBe("GO");
    await expect(socket.startTls()).rejects.toMatchObject({
      code: "ETLS",
      message: expect.stringContaining("8 bytes"),
    });
    expect(upgraded).toBe(false);
    expect(socket.state).toBe("closed");
    await decoding.return(undefined);
  });

  it("lets startTls() go ahead from inside a decode loop that holds nothing", async () => {
    const { handle, socket } = open({}, { tlsUpgrade: true });
    let upgraded = false;
    Object.assign(handle, { startTls: async () => ((upgraded = true), new FakeStream()) });
    handle.sink.data(bytes("GO\n"));
    for await (const line of lines().decode(socket)) {
      expect(line).toBe("GO");
      await socket.startTls();
      break;
    }
    expect(upgraded).toBe(true);
  });
});

describe("Socket.read(handler)", () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  const text = (chunk: Uint8Array | undefined) => new TextDecoder().decode(chunk);

  it("calls the handler with each chunk in order, with the socket, and resolves at the FIN after them", async () => {
    const { handle, socket } = open({ allowHalfOpen: true });
    handle.sink.data(bytes("a"));
    const seen: string[] = [];
    let called = false;
    const reading = socket.read((chunk, which) => {
      called = true;
      expect(which).toBe(socket);
      seen.push(text(chunk));
    });
    // Never before read() has returned: the buffered chunk comes after.
    expect(called).toBe(false);
    await tick();
    handle.sink.data(bytes("b"));
    handle.sink.data(bytes("c"));
    expect(seen).toEqual(["a", "b", "c"]);
    handle.sink.end();
    await expect(reading).resolves.toBeUndefined();
    expect(socket.state).toBe("readClosed");
    expect(socket.stats).toMatchObject({ bytesReceived: 3, packetsReceived: 3 });
  });

  it("ends the socket at the FIN it read (allowHalfOpen false), after a reply written in the handler", async () => {
    const { handle, socket } = open();
    const reading = socket.read((chunk) => void socket.write(chunk));
    await tick();
    handle.sink.data(bytes("ping"));
    handle.sink.end();
    await reading;
    await socket.closed;
    expect(handle.sent()).toBe("ping");
    expect(handle.calls).toEqual(["close"]);
  });

  it("rejects with the error that ended the connection, after the chunks buffered before it", async () => {
    const { handle, socket } = open();
    const seen: string[] = [];
    let release!: () => void;
    const reading = socket.read((chunk) => {
      seen.push(text(chunk));
      if (seen.length === 1) return new Promise<void>((resolve) => (release = resolve));
    });
    await tick();
    handle.sink.data(bytes("a"));
    handle.sink.data(bytes("b"));
    handle.sink.close(new SocketError("ECONNRESET", "reset by peer"));
    expect(seen).toEqual(["a"]);
    release();
    await expect(reading).rejects.toMatchObject({ code: "ECONNRESET" });
    expect(seen).toEqual(["a", "b"]);
  });

  it("pauses while the handler's promise is pending: buffers up to highWaterMark, then pushes back", async () => {
    const { handle, socket } = open({ highWaterMark: 4 });
    const seen: string[] = [];
    let release!: () => void;
    void socket.read((chunk) => {
      seen.push(text(chunk));
      if (seen.length === 1) return new Promise<void>((resolve) => (release = resolve));
    });
    await tick();
    handle.sink.data(bytes("1"));
    handle.sink.data(bytes("23"));
    expect(handle.paused).toBe(false);
    handle.sink.data(bytes("45"));
    expect(handle.paused).toBe(true);
    expect(seen).toEqual(["1"]);
    release();
    await tick();
    expect(seen).toEqual(["1", "23", "45"]);
    expect(handle.paused).toBe(false);
  });

  it("stops at the signal, inside the handler or outside it, leaving the socket open and what follows for the next reader", async () => {
    const { handle, socket } = open();
    const stop = new AbortController();
    const seen: string[] = [];
    const reading = socket.read(
      (chunk) => {
        seen.push(text(chunk));
        if (text(chunk) === "go") stop.abort();
      },
      { signal: stop.signal },
    );
    await tick();
    handle.sink.data(bytes("x"));
    handle.sink.data(bytes("go"));
    handle.sink.data(bytes("rest"));
    await expect(reading).resolves.toBeUndefined();
    expect(seen).toEqual(["x", "go"]);
    expect(socket.state).toBe("open");
    // The next reader gets what came after the stop.
    const again = new AbortController();
    const later: string[] = [];
    const second = socket.read((chunk) => void later.push(text(chunk)), { signal: again.signal });
    await tick();
    expect(later).toEqual(["rest"]);
    again.abort();
    await expect(second).resolves.toBeUndefined();
    handle.sink.data(bytes("after"));
    expect(later).toEqual(["rest"]);
    const iterator = socket[Symbol.asyncIterator]();
    expect(text((await iterator.next()).value)).toBe("after");
    // An aborted signal reads nothing.
    await expect(socket.read(() => {}, { signal: AbortSignal.abort() })).resolves.toBeUndefined();
  });

  it("waits for the handler's promise before it resolves a stop", async () => {
    const { handle, socket } = open();
    const stop = new AbortController();
    let release!: () => void;
    let settled = false;
    const reading = socket
      .read(() => new Promise<void>((resolve) => (release = resolve)), { signal: stop.signal })
      .then(() => (settled = true));
    await tick();
    handle.sink.data(bytes("a"));
    stop.abort();
    await tick();
    expect(settled).toBe(false);
    release();
    await reading;
    expect(settled).toBe(true);
  });

  it("rejects with what the handler threw or its promise rejected with, and leaves the socket open", async () => {
    const { handle, socket } = open();
    const thrown = new Error("bad frame");
    const reading = socket.read(() => {
      throw thrown;
    });
    await tick();
    handle.sink.data(bytes("a"));
    handle.sink.data(bytes("b"));
    await expect(reading).rejects.toBe(thrown);
    expect(socket.state).toBe("open");
    const refused = new Error("refused");
    const second = socket.read(() => Promise.reject(refused));
    await expect(second).rejects.toBe(refused);
    // "b" went to the failing handler; nothing is lost after it.
    handle.sink.data(bytes("c"));
    expect(text((await socket[Symbol.asyncIterator]().next()).value)).toBe("c");
  });

  it("is one reader at a time: a second read(), an iterator, or startTls() meanwhile is a TypeError", async () => {
    const { handle, socket } = open({}, { tlsUpgrade: true });
    Object.assign(handle, { startTls: async () => handle });
    const stop = new AbortController();
    const reading = socket.read(() => {}, { signal: stop.signal });
    await expect(socket.read(() => {})).rejects.toThrow(TypeError);
    await expect(socket[Symbol.asyncIterator]().next()).rejects.toThrow("one reader at a time");
    await expect(socket.startTls()).rejects.toThrow(TypeError);
    stop.abort();
    await reading;
    // And the other way round: a waiting iterator keeps read() out.
    const waiting = socket[Symbol.asyncIterator]().next();
    await expect(socket.read(() => {})).rejects.toThrow("one reader at a time");
    handle.sink.data(bytes("x"));
    expect(text((await waiting).value)).toBe("x");
  });

  it("checks its arguments, as a rejection", async () => {
    const { socket } = open();
    await expect(socket.read("nope" as never)).rejects.toThrow(
      'The "handler" argument must be a function',
    );
    await expect(socket.read(() => {}, { signal: 1 } as never)).rejects.toThrow(TypeError);
    await expect(socket.read(() => {}, { sginal: undefined } as never)).rejects.toThrow(
      'Unknown option "sginal"',
    );
    await expect(socket.read(() => {}, { borrow: "yes" } as never)).rejects.toThrow(
      'The "options.borrow" argument must be of type boolean',
    );
  });

  it("lends the driver's chunk back only while a borrowing handler waits with nothing queued", async () => {
    const { handle, socket } = open();
    const lends = () => (socket as unknown as StreamSink)[sinkBorrows];
    expect(lends()).toBe(false); // no reader
    // Before the reader's first turn, a chunk waits in the queue.
    handle.sink.data(bytes("queued"));
    let release!: () => void;
    const seen: string[] = [];
    const lent: boolean[] = [];
    const stop = new AbortController();
    const reading = socket.read(
      (chunk) => {
        seen.push(text(chunk));
        lent.push(lends());
        if (seen.length === 2) return new Promise<void>((resolve) => (release = resolve));
      },
      { signal: stop.signal, borrow: true },
    );
    expect(lends()).toBe(false); // "queued" goes first
    await tick();
    expect(seen).toEqual(["queued"]);
    expect(lends()).toBe(true);
    handle.sink.data(bytes("held"));
    expect(lent).toEqual([false, false]); // inside the handler: busy
    expect(lends()).toBe(false); // waiting for its promise
    handle.sink.data(bytes("waits"));
    release();
    await tick();
    expect(seen).toEqual(["queued", "held", "waits"]);
    expect(lends()).toBe(true);
    stop.abort();
    await reading;
    // A handler that keeps its chunks is never lent one.
    const keeping = new AbortController();
    const kept = socket.read(() => {}, { signal: keeping.signal });
    await tick();
    expect(lends()).toBe(false);
    keeping.abort();
    await kept;
  });

  it("reading on demand: no read is left pending once the handler stops or waits", async () => {
    const handle = Object.assign(new FakeStream(), { readsOnDemand: true });
    const { socket } = open({}, {}, handle);
    const stop = new AbortController();
    let release!: () => void;
    const reading = socket.read(
      (chunk) => {
        if (text(chunk) === "wait") return new Promise<void>((resolve) => (release = resolve));
        if (text(chunk) === "stop") stop.abort();
      },
      { signal: stop.signal },
    );
    await tick();
    // A handler that takes chunks at once keeps the driver reading.
    handle.sink.data(bytes("a"));
    expect(handle.paused).toBe(false);
    handle.sink.data(bytes("wait"));
    expect(handle.paused).toBe(true);
    release();
    await tick();
    expect(handle.paused).toBe(false);
    handle.sink.data(bytes("stop"));
    // Paused inside the delivery: the driver issues no further read.
    expect(handle.paused).toBe(true);
    await reading;
    expect(handle.paused).toBe(true);
  });

  it("hands a handler what a framing decoder gave back, first", async () => {
    const { handle, socket } = open();
    handle.sink.data(bytes("a\nb\nc"));
    for await (const line of lines().decode(socket)) if (line === "a") break;
    const seen: string[] = [];
    const stop = new AbortController();
    const reading = socket.read((chunk) => void seen.push(text(chunk)), { signal: stop.signal });
    await tick();
    handle.sink.data(bytes("d"));
    expect(seen.join("")).toBe("b\ncd");
    stop.abort();
    await reading;
  });

  it("ends with ETIMEDOUT at the idle timeout, which chunks keep away", async () => {
    const { handle, socket } = open({ idleTimeout: 60 });
    const reading = socket.read(() => {});
    for (let i = 0; i < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 30));
      handle.sink.data(bytes("."));
    }
    expect(socket.state).toBe("open");
    await expect(reading).rejects.toMatchObject({ code: "ETIMEDOUT" });
  });
});
