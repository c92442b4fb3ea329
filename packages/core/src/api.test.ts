// What core decides over a driver, tested over a scripted fake one: how a name's addresses
// are raced (Happy Eyeballs), and that an abort during listen or bind leaves nothing open.
// Real sockets are the conformance suite's job.
import { describe, expect, it } from "vitest";
import { inetAddress, type InetAddress } from "./address.js";
import { createApi } from "./api.js";
import { capabilityNames, type Capabilities } from "./capabilities.js";
import {
  type Driver,
  type ServerHandle,
  sinkClose,
  type StreamHandle,
  type StreamSink,
} from "./driver.js";
import { SocketError } from "./error.js";
import type { NormalizedConnectOptions } from "./options.js";

const everything = Object.freeze(
  Object.fromEntries(capabilityNames.map((name) => [name, true])),
) as Capabilities;

function fakeStream(hostname: string): StreamHandle & { closed: boolean } {
  let sink: StreamSink | undefined;
  return {
    localAddress: inetAddress("tcp", "127.0.0.1", 1),
    remoteAddress: inetAddress("tcp", hostname, 80),
    busy: false,
    closed: false,
    start(given) {
      sink = given;
    },
    write: (data) => data.byteLength,
    pause() {},
    resume() {},
    shutdown() {},
    close() {
      this.closed = true;
      sink?.[sinkClose]();
    },
    reset() {},
    setNoDelay() {},
    setKeepAlive() {},
    ref() {},
    unref() {},
  };
}

/** `answer(hostname, signal)` decides each connect attempt. */
function fakeDriver(
  addresses: InetAddress[],
  answer: (hostname: string, signal: AbortSignal | undefined) => Promise<StreamHandle>,
  extra: Partial<Driver> = {},
): Driver & { attempts: string[] } {
  const attempts: string[] = [];
  return {
    runtime: "node",
    capabilities: everything,
    attempts,
    connect(options: NormalizedConnectOptions, signal) {
      const target = options.target as { hostname: string };
      attempts.push(target.hostname);
      return answer(target.hostname, signal);
    },
    listen: () => Promise.reject(new Error("not scripted")),
    bind: () => Promise.reject(new Error("not scripted")),
    lookup: async () => addresses,
    ...extra,
  };
}

const refused = (hostname: string) =>
  Promise.reject(new SocketError("ECONNREFUSED", `refused by ${hostname}`, { syscall: "connect" }));

/** Never connects; rejects once given up. */
function hang(signal: AbortSignal | undefined, given: string[], hostname: string) {
  return new Promise<StreamHandle>((_, reject) =>
    signal?.addEventListener("abort", () => {
      given.push(hostname);
      reject(new Error("given up"));
    }),
  );
}

const v6 = inetAddress("tcp", "2001:db8::1", 0);
const v4 = inetAddress("tcp", "192.0.2.1", 0);
const v4b = inetAddress("tcp", "192.0.2.2", 0);

describe("connect to a name (Happy Eyeballs, RFC 8305)", () => {
  it("tries the next address when one fails, families alternating", async () => {
    const driver = fakeDriver([v6, inetAddress("tcp", "2001:db8::2", 0), v4], async (host) =>
      host === "192.0.2.1" ? fakeStream(host) : refused(host),
    );
    const socket = await createApi(driver).connect("example.test:80");
    expect(driver.attempts).toEqual(["2001:db8::1", "192.0.2.1"]);
    expect(socket.remoteAddress).toMatchObject({ hostname: "192.0.2.1" });
    await socket.close();
  });

  it("starts the next attempt 250 ms after one that hangs, and gives the loser up", async () => {
    const given: string[] = [];
    const driver = fakeDriver([v6, v4], (host, signal) =>
      host === "2001:db8::1" ? hang(signal, given, host) : Promise.resolve(fakeStream(host)),
    );
    const started = performance.now();
    const socket = await createApi(driver).connect("example.test:80");
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(240);
    expect(elapsed).toBeLessThan(2_000);
    expect(socket.remoteAddress).toMatchObject({ hostname: "192.0.2.1" });
    expect(given).toEqual(["2001:db8::1"]);
    await socket.close();
  });

  it("closes a connection that arrives after another has won", async () => {
    const late = fakeStream("192.0.2.1");
    let release!: () => void;
    const driver = fakeDriver([v4, v4b], (host) =>
      host === "192.0.2.1"
        ? new Promise((resolve) => (release = () => resolve(late)))
        : Promise.resolve(fakeStream(host)),
    );
    const socket = await createApi(driver).connect("example.test:80");
    expect(socket.remoteAddress).toMatchObject({ hostname: "192.0.2.2" });
    release();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(late.closed).toBe(true);
    await socket.close();
  });

  it("fails with the first address's error when every address fails", async () => {
    const driver = fakeDriver([v4, v4b], refused);
    const error = await createApi(driver)
      .connect("example.test:80")
      .catch((error: SocketError) => error);
    expect(error).toMatchObject({ code: "ECONNREFUSED" });
    expect((error as SocketError).message).toContain("refused by 192.0.2.1");
  });

  it("the connect timeout bounds the whole race", async () => {
    const given: string[] = [];
    const driver = fakeDriver([v4, v4b], (host, signal) => hang(signal, given, host));
    await expect(
      createApi(driver).connect("example.test:80", { timeout: 400 }),
    ).rejects.toMatchObject({ code: "ETIMEDOUT" });
    expect(given.sort()).toEqual(["192.0.2.1", "192.0.2.2"]);
  });

  it("an IP literal goes straight to the driver, with no lookup", async () => {
    const driver = fakeDriver([], async (host) => fakeStream(host), {
      lookup: () => Promise.reject(new Error("no lookup expected")),
    });
    const socket = await createApi(driver).connect("192.0.2.9:80");
    expect(driver.attempts).toEqual(["192.0.2.9"]);
    await socket.close();
  });
});

describe("an abort during listen or bind", () => {
  it("rejects listen with EABORTED at once and closes the listener when it comes", async () => {
    let closed = false;
    let finish!: (handle: ServerHandle) => void;
    const driver = fakeDriver([], refused, {
      listen: () => new Promise((resolve) => (finish = resolve)),
    });
    const controller = new AbortController();
    const listening = createApi(driver).listen({ port: 0, signal: controller.signal });
    controller.abort();
    await expect(listening).rejects.toMatchObject({ code: "EABORTED" });
    finish({
      address: inetAddress("tcp", "127.0.0.1", 9),
      close: async () => void (closed = true),
      ref() {},
      unref() {},
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(closed).toBe(true);
  });
});
