import { describe, expect, it } from "vitest";
import { type Capabilities, capabilityNames } from "./capabilities.js";
import {
  checkBoolean,
  checkData,
  checkFamily,
  checkIP,
  checkMilliseconds,
  checkOptionsObject,
  checkPort,
  checkPositiveInteger,
  checkSignal,
  checkTTL,
} from "./check.js";
import { SocketError } from "./error.js";
import { checkSupported, normalizeBind, normalizeConnect, normalizeListen } from "./normalize.js";

const signal = new AbortController().signal;

type BadCase = [
  label: string,
  action: () => unknown,
  errorClass: ErrorConstructor,
  ...expected: string[],
];

// Each case names the argument and shows the received value.
const badCases: BadCase[] = [
  // checkers
  ["port -1", () => checkPort("options.port", -1), RangeError, '"options.port"', "-1"],
  ["port 65536", () => checkPort("options.port", 65536), RangeError, '"options.port"', "65536"],
  ["port NaN", () => checkPort("options.port", Number.NaN), RangeError, '"options.port"', "NaN"],
  ["port 1.5", () => checkPort("options.port", 1.5), RangeError, '"options.port"', "1.5"],
  [
    "port Infinity",
    () => checkPort("options.port", Infinity),
    RangeError,
    '"options.port"',
    "Infinity",
  ],
  ['port "80a"', () => checkPort("options.port", "80a"), TypeError, '"options.port"', '"80a"'],
  ['port "80"', () => checkPort("options.port", "80"), TypeError, '"options.port"', '"80"'],
  ["port 80n", () => checkPort("options.port", 80n), TypeError, '"options.port"', "80n"],
  [
    "port 0 not allowed",
    () => checkPort("target.port", 0, { allowZero: false }),
    RangeError,
    '"target.port"',
    "from 1 to 65535",
    "Received 0",
  ],
  [
    'boolean "yes"',
    () => checkBoolean("options.noDelay", "yes"),
    TypeError,
    '"options.noDelay"',
    '"yes"',
  ],
  [
    "milliseconds -1",
    () => checkMilliseconds("options.timeout", -1),
    RangeError,
    '"options.timeout"',
    "-1",
  ],
  [
    "milliseconds 2^31",
    () => checkMilliseconds("options.timeout", 2 ** 31),
    RangeError,
    '"options.timeout"',
    "2147483648",
  ],
  [
    "positive integer 0",
    () => checkPositiveInteger("options.backlog", 0),
    RangeError,
    '"options.backlog"',
    "0",
  ],
  [
    "positive integer over max",
    () => checkPositiveInteger("size", 11, 10),
    RangeError,
    '"size"',
    "from 1 to 10",
    "11",
  ],
  ["ttl 0", () => checkTTL("ttl", 0), RangeError, '"ttl"', "0"],
  ["ttl 256", () => checkTTL("ttl", 256), RangeError, '"ttl"', "256"],
  ['ttl "64"', () => checkTTL("ttl", "64"), TypeError, '"ttl"', '"64"'],
  [
    "ip name",
    () => checkIP("options.localAddress", "localhost"),
    TypeError,
    '"options.localAddress"',
    '"localhost"',
  ],
  [
    "ip number",
    () => checkIP("options.localAddress", 127),
    TypeError,
    '"options.localAddress"',
    "127",
  ],
  [
    "signal {}",
    () => checkSignal("options.signal", {}),
    TypeError,
    '"options.signal"',
    "an instance of Object",
  ],
  ["signal true", () => checkSignal("options.signal", true), TypeError, '"options.signal"', "true"],
  ["data 42", () => checkData("data", 42), TypeError, '"data"', "42"],
  [
    "data ArrayBuffer",
    () => checkData("data", new ArrayBuffer(1)),
    TypeError,
    '"data"',
    "an instance of ArrayBuffer",
  ],
  ["data array", () => checkData("data", [1, 2]), TypeError, '"data"', "an instance of Array"],
  ["family 5", () => checkFamily("options.family", 5), RangeError, '"options.family"', "5"],
  ['family "4"', () => checkFamily("options.family", "4"), TypeError, '"options.family"', '"4"'],
  [
    "options string",
    () => checkOptionsObject("options", "fast", []),
    TypeError,
    '"options"',
    '"fast"',
  ],
  ["options null", () => checkOptionsObject("options", null, []), TypeError, '"options"', "null"],
  ["options array", () => checkOptionsObject("options", [], []), TypeError, '"options"', "Array"],
  // normalizeConnect: the target
  ["connect empty host", () => normalizeConnect(":8080", {}), TypeError, '"target"', '":8080"'],
  [
    "connect port 0",
    () => normalizeConnect("localhost:0", {}),
    RangeError,
    '"target"',
    '"localhost:0"',
  ],
  [
    "connect udp",
    () => normalizeConnect("udp://localhost:53", {}),
    TypeError,
    '"target"',
    '"udp://localhost:53"',
  ],
  [
    "connect bad port",
    () => normalizeConnect("localhost:80a", {}),
    RangeError,
    "address",
    '"localhost:80a"',
  ],
  ["connect bare IPv6", () => normalizeConnect("::1", {}), TypeError, "address", '"::1"'],
  ["connect number", () => normalizeConnect(80, {}), TypeError, '"target"', "80"],
  ["connect null", () => normalizeConnect(null, {}), TypeError, '"target"', "null"],
  [
    "connect object empty host",
    () => normalizeConnect({ hostname: "", port: 80 }, {}),
    TypeError,
    '"target.hostname"',
    '""',
  ],
  [
    "connect object no host",
    () => normalizeConnect({ port: 80 }, {}),
    TypeError,
    '"target.hostname"',
    "undefined",
  ],
  [
    "connect object port 0",
    () => normalizeConnect({ hostname: "h", port: 0 }, {}),
    RangeError,
    '"target.port"',
    "0",
  ],
  [
    'connect object port "80"',
    () => normalizeConnect({ hostname: "h", port: "80" }, {}),
    TypeError,
    '"target.port"',
    '"80"',
  ],
  [
    "connect object path and port",
    () => normalizeConnect({ path: "/x", port: 80 }, {}),
    TypeError,
    '"target.port"',
    '"target.path"',
  ],
  [
    "connect object empty path",
    () => normalizeConnect({ path: "" }, {}),
    TypeError,
    '"target.path"',
    '""',
  ],
  [
    "connect object udp",
    () => normalizeConnect({ hostname: "h", port: 80, transport: "udp" }, {}),
    TypeError,
    '"target.transport"',
    '"udp"',
  ],
  [
    "connect object path over tcp",
    () => normalizeConnect({ path: "/x", transport: "tcp" }, {}),
    TypeError,
    '"target.transport"',
    '"tcp"',
  ],
  [
    "connect object unknown key",
    () => normalizeConnect({ host: "h", port: 80 }, {}),
    TypeError,
    '"host"',
    "target",
  ],
  [
    "connect object family of another IP",
    () => normalizeConnect({ hostname: "127.0.0.1", port: 80, family: "IPv6" }, {}),
    TypeError,
    '"target.family"',
    '"127.0.0.1"',
  ],
  [
    "connect object family of a name",
    () => normalizeConnect({ hostname: "localhost", port: 80, family: "IPv4" }, {}),
    TypeError,
    '"target.family"',
    '"localhost"',
  ],
  [
    "connect object family 4",
    () => normalizeConnect({ hostname: "127.0.0.1", port: 80, family: 4 }, {}),
    TypeError,
    '"target.family"',
    "4",
  ],
  // normalizeConnect: the options
  [
    "connect options string",
    () => normalizeConnect("h:80", "fast"),
    TypeError,
    '"options"',
    '"fast"',
  ],
  [
    'noDelay "yes"',
    () => normalizeConnect("h:80", { noDelay: "yes" }),
    TypeError,
    '"options.noDelay"',
    '"yes"',
  ],
  [
    "timeout -1",
    () => normalizeConnect("h:80", { timeout: -1 }),
    RangeError,
    '"options.timeout"',
    "-1",
  ],
  [
    'idleTimeout "10"',
    () => normalizeConnect("h:80", { idleTimeout: "10" }),
    TypeError,
    '"options.idleTimeout"',
    '"10"',
  ],
  [
    "keepAliveDelay 1.5",
    () => normalizeConnect("h:80", { keepAliveDelay: 1.5 }),
    RangeError,
    '"options.keepAliveDelay"',
    "1.5",
  ],
  [
    "highWaterMark 0",
    () => normalizeConnect("h:80", { highWaterMark: 0 }),
    RangeError,
    '"options.highWaterMark"',
    "0",
  ],
  [
    "allowHalfOpen 1",
    () => normalizeConnect("h:80", { allowHalfOpen: 1 }),
    TypeError,
    '"options.allowHalfOpen"',
    "1",
  ],
  [
    "signal {}",
    () => normalizeConnect("h:80", { signal: {} }),
    TypeError,
    '"options.signal"',
    "an instance of Object",
  ],
  ["family 5", () => normalizeConnect("h:80", { family: 5 }), RangeError, '"options.family"', "5"],
  [
    "localAddress name",
    () => normalizeConnect("h:80", { localAddress: "localhost" }),
    TypeError,
    '"options.localAddress"',
    '"localhost"',
  ],
  [
    "sendBufferSize 0",
    () => normalizeConnect("h:80", { sendBufferSize: 0 }),
    RangeError,
    '"options.sendBufferSize"',
    "0",
  ],
  [
    "receiveBufferSize -5",
    () => normalizeConnect("h:80", { receiveBufferSize: -5 }),
    RangeError,
    '"options.receiveBufferSize"',
    "-5",
  ],
  [
    "unknown option",
    () => normalizeConnect("h:80", { nodelay: true }),
    TypeError,
    '"nodelay"',
    '"noDelay"',
  ],
  [
    "localAddress on unix",
    () => normalizeConnect("unix:/x", { localAddress: "127.0.0.1" }),
    TypeError,
    '"options.localAddress"',
    "Unix",
  ],
  // normalizeListen
  [
    "listen path and port",
    () => normalizeListen({ path: "/x", port: 80 }),
    TypeError,
    '"options.port"',
    '"options.path"',
  ],
  [
    "listen fd and hostname",
    () => normalizeListen({ fd: 3, hostname: "::" }),
    TypeError,
    '"options.hostname"',
    '"options.fd"',
  ],
  ["listen port -1", () => normalizeListen({ port: -1 }), RangeError, '"options.port"', "-1"],
  [
    "listen port 65536",
    () => normalizeListen({ port: 65536 }),
    RangeError,
    '"options.port"',
    "65536",
  ],
  ["listen fd -1", () => normalizeListen({ fd: -1 }), RangeError, '"options.fd"', "-1"],
  ['listen fd "3"', () => normalizeListen({ fd: "3" }), TypeError, '"options.fd"', '"3"'],
  ["listen backlog 0", () => normalizeListen({ backlog: 0 }), RangeError, '"options.backlog"', "0"],
  [
    "listen maxConnections 0",
    () => normalizeListen({ maxConnections: 0 }),
    RangeError,
    '"options.maxConnections"',
    "0",
  ],
  [
    "listen maxConnections 1.5",
    () => normalizeListen({ maxConnections: 1.5 }),
    RangeError,
    '"options.maxConnections"',
    "1.5",
  ],
  [
    'listen reusePort "yes"',
    () => normalizeListen({ reusePort: "yes" }),
    TypeError,
    '"options.reusePort"',
    '"yes"',
  ],
  [
    "listen exclusive null",
    () => normalizeListen({ exclusive: null }),
    TypeError,
    '"options.exclusive"',
    "null",
  ],
  [
    "listen bad hostname",
    () => normalizeListen({ hostname: "bad host" }),
    TypeError,
    '"options.hostname"',
    '"bad host"',
  ],
  [
    "listen hostname in brackets",
    () => normalizeListen({ hostname: "[::1]" }),
    TypeError,
    '"options.hostname"',
    '"[::1]"',
  ],
  ['listen path "@"', () => normalizeListen({ path: "@" }), TypeError, '"options.path"', '"@"'],
  [
    "listen highWaterMark 0",
    () => normalizeListen({ highWaterMark: 0 }),
    RangeError,
    '"options.highWaterMark"',
    "0",
  ],
  [
    "listen signal {}",
    () => normalizeListen({ signal: {} }),
    TypeError,
    '"options.signal"',
    "an instance of Object",
  ],
  ["listen unknown option", () => normalizeListen({ host: "::" }), TypeError, '"host"', "options"],
  ["listen options number", () => normalizeListen(8080), TypeError, '"options"', "8080"],
  // normalizeBind
  [
    "bind family 4 with IPv6",
    () => normalizeBind({ family: 4, hostname: "::1" }),
    TypeError,
    '"options.family"',
    '"::1"',
  ],
  [
    "bind family 6 with IPv4",
    () => normalizeBind({ family: 6, hostname: "127.0.0.1" }),
    TypeError,
    '"options.family"',
    '"127.0.0.1"',
  ],
  ['bind family "6"', () => normalizeBind({ family: "6" }), TypeError, '"options.family"', '"6"'],
  ["bind port 65536", () => normalizeBind({ port: 65536 }), RangeError, '"options.port"', "65536"],
  ["bind ttl 0", () => normalizeBind({ ttl: 0 }), RangeError, '"options.ttl"', "0"],
  ["bind ttl 256", () => normalizeBind({ ttl: 256 }), RangeError, '"options.ttl"', "256"],
  [
    "bind multicastTimeToLive 256",
    () => normalizeBind({ multicastTimeToLive: 256 }),
    RangeError,
    '"options.multicastTimeToLive"',
    "256",
  ],
  [
    "bind multicastTimeToLive -1",
    () => normalizeBind({ multicastTimeToLive: -1 }),
    RangeError,
    '"options.multicastTimeToLive"',
    "-1",
  ],
  [
    'bind multicastLoopback "no"',
    () => normalizeBind({ multicastLoopback: "no" }),
    TypeError,
    '"options.multicastLoopback"',
    '"no"',
  ],
  [
    "bind broadcast 1",
    () => normalizeBind({ broadcast: 1 }),
    TypeError,
    '"options.broadcast"',
    "1",
  ],
  [
    "bind receiveQueueSize 0",
    () => normalizeBind({ receiveQueueSize: 0 }),
    RangeError,
    '"options.receiveQueueSize"',
    "0",
  ],
  [
    "bind sendBufferSize 1.5",
    () => normalizeBind({ sendBufferSize: 1.5 }),
    RangeError,
    '"options.sendBufferSize"',
    "1.5",
  ],
  [
    "bind bad hostname",
    () => normalizeBind({ hostname: "a..b" }),
    TypeError,
    '"options.hostname"',
    '"a..b"',
  ],
  ["bind unknown option", () => normalizeBind({ Port: 1 }), TypeError, '"Port"', '"port"'],
  [
    "bind signal {}",
    () => normalizeBind({ signal: {} }),
    TypeError,
    '"options.signal"',
    "an instance of Object",
  ],
];

describe("bad input", () => {
  it.each(badCases)("%s", (_, action, errorClass, ...expected) => {
    let caught: unknown;
    try {
      action();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(errorClass);
    for (const text of expected) expect((caught as Error).message).toContain(text);
  });
});

const streamDefaults = {
  noDelay: true,
  keepAliveDelay: undefined,
  highWaterMark: 65_536,
  allowHalfOpen: false,
  idleTimeout: 0,
};

describe("normalizeConnect", () => {
  const connectDefaults = {
    ...streamDefaults,
    timeout: 0,
    signal: undefined,
    localAddress: undefined,
    family: undefined,
    sendBufferSize: undefined,
    receiveBufferSize: undefined,
    tls: undefined,
  };

  it.each<[unknown, unknown]>([
    ["localhost:80", { transport: "tcp", hostname: "localhost", port: 80 }],
    ["tcp://[::1]:80", { transport: "tcp", hostname: "::1", port: 80, family: "IPv6" }],
    ["unix:@name", { transport: "unix", path: "@name" }],
    [
      { hostname: "127.0.0.1", port: 1 },
      { transport: "tcp", hostname: "127.0.0.1", port: 1, family: "IPv4" },
    ],
    [
      { hostname: "example.com", port: 443, transport: "tcp" },
      { transport: "tcp", hostname: "example.com", port: 443 },
    ],
    // An address the library reported can be passed back as it is.
    [
      { transport: "tcp", hostname: "::1", port: 8080, family: "IPv6" },
      { transport: "tcp", hostname: "::1", port: 8080, family: "IPv6" },
    ],
    [{ path: "/run/app.sock" }, { transport: "unix", path: "/run/app.sock" }],
    [
      { path: "./app.sock", transport: "unix" },
      { transport: "unix", path: "./app.sock" },
    ],
  ])("sets every default for %j", (target, expected) => {
    expect(normalizeConnect(target, undefined)).toStrictEqual({
      target: expected,
      ...connectDefaults,
    });
  });

  it("keeps every option given", () => {
    const options = {
      noDelay: false,
      keepAliveDelay: 1000,
      highWaterMark: 1,
      allowHalfOpen: true,
      idleTimeout: 5000,
      timeout: 3000,
      signal,
      localAddress: "::1",
      family: 6,
      sendBufferSize: 4096,
      receiveBufferSize: 8192,
    } as const;
    expect(normalizeConnect("localhost:80", options)).toStrictEqual({
      target: { transport: "tcp", hostname: "localhost", port: 80 },
      ...options,
      tls: undefined,
    });
  });

  it("treats an option given as undefined as not given", () => {
    expect(normalizeConnect("h:1", { noDelay: undefined, timeout: undefined }).noDelay).toBe(true);
  });
});

describe("normalizeListen", () => {
  const listenDefaults = {
    ...streamDefaults,
    inet: { hostname: "0.0.0.0", port: 0 },
    unix: undefined,
    fd: undefined,
    backlog: 511,
    reusePort: false,
    ipv6Only: false,
    exclusive: true,
    maxConnections: Infinity,
    signal: undefined,
    tls: undefined,
  };

  it.each<[unknown, Record<string, unknown>]>([
    [undefined, {}],
    [{}, {}],
    [{ hostname: "" }, {}],
    [{ port: 8080 }, { inet: { hostname: "0.0.0.0", port: 8080 } }],
    [{ hostname: "::", port: 1 }, { inet: { hostname: "::", port: 1 } }],
    [{ hostname: "localhost" }, { inet: { hostname: "localhost", port: 0 } }],
    [
      { path: "/tmp/app.sock" },
      { inet: undefined, unix: { transport: "unix", path: "/tmp/app.sock" } },
    ],
    [{ path: "@name" }, { inet: undefined, unix: { transport: "unix", path: "@name" } }],
    [{ fd: 3 }, { inet: undefined, fd: 3 }],
    [{ maxConnections: Infinity }, {}],
    [
      { maxConnections: 10, backlog: 1, exclusive: false },
      { maxConnections: 10, backlog: 1, exclusive: false },
    ],
  ])("%j", (options, changes) => {
    expect(normalizeListen(options)).toStrictEqual({ ...listenDefaults, ...changes });
  });
});

describe("normalizeBind", () => {
  const bindDefaults = {
    hostname: "0.0.0.0",
    port: 0,
    family: 4,
    reuseAddr: false,
    reusePort: false,
    ipv6Only: false,
    broadcast: false,
    ttl: undefined,
    multicastTimeToLive: 1,
    multicastLoopback: true,
    receiveBufferSize: undefined,
    sendBufferSize: undefined,
    receiveQueueSize: 1024,
    signal: undefined,
  };

  it.each<[unknown, Record<string, unknown>]>([
    [undefined, {}],
    [{}, {}],
    [{ hostname: "" }, {}],
    [{ family: 6 }, { hostname: "::", family: 6 }],
    [
      { hostname: "", family: 6 },
      { hostname: "::", family: 6 },
    ],
    [{ hostname: "::1" }, { hostname: "::1", family: 6 }],
    [
      { hostname: "::1", family: 6 },
      { hostname: "::1", family: 6 },
    ],
    [
      { hostname: "127.0.0.1", port: 5353 },
      { hostname: "127.0.0.1", port: 5353 },
    ],
    [
      { hostname: "localhost", family: 6 },
      { hostname: "localhost", family: 6 },
    ],
    [
      { ttl: 64, multicastTimeToLive: 0, multicastLoopback: false },
      { ttl: 64, multicastTimeToLive: 0, multicastLoopback: false },
    ],
  ])("%j", (options, changes) => {
    expect(normalizeBind(options)).toStrictEqual({ ...bindDefaults, ...changes });
  });
});

describe("checkSupported", () => {
  const runtime = "testruntime";
  const withOnly = (missing: keyof Capabilities | undefined, value = true): Capabilities =>
    Object.fromEntries(
      capabilityNames.map((name) => [name, name === missing ? !value : value]),
    ) as unknown as Capabilities;

  type Case = [
    kind: "connect" | "listen" | "bind",
    target: unknown,
    options: Record<string, unknown>,
    missing: keyof Capabilities,
    what: string,
  ];
  const cases: Case[] = [
    ["connect", "unix:/tmp/x", {}, "unix", "Unix-domain sockets"],
    ["connect", { path: "@name" }, {}, "unixAbstract", "abstract Unix names"],
    ["connect", "h:1", { keepAliveDelay: 0 }, "keepAliveDelay", "keepAliveDelay"],
    ["connect", "h:1", { sendBufferSize: 1 }, "streamBufferSize", "sendBufferSize"],
    ["connect", "h:1", { receiveBufferSize: 1 }, "streamBufferSize", "receiveBufferSize"],
    ["connect", "h:1", { localAddress: "127.0.0.1" }, "connectLocalAddress", "localAddress"],
    ["connect", "h:1", { allowHalfOpen: true }, "halfOpen", "allowHalfOpen"],
    ["listen", undefined, { path: "/tmp/x" }, "unix", "Unix-domain sockets"],
    ["listen", undefined, { path: "@x" }, "unixAbstract", "abstract Unix names"],
    ["listen", undefined, { fd: 3 }, "listenFd", "fd"],
    ["listen", undefined, { reusePort: true }, "listenReusePort", "reusePort"],
    ["listen", undefined, { exclusive: false }, "exclusive", "exclusive"],
    ["listen", undefined, { ipv6Only: true }, "listenIpv6Only", "ipv6Only"],
    ["listen", undefined, { backlog: 511 }, "backlog", "backlog"],
    ["listen", undefined, { keepAliveDelay: 1 }, "keepAliveDelay", "keepAliveDelay"],
    ["listen", undefined, { allowHalfOpen: true }, "halfOpen", "allowHalfOpen"],
    ["bind", undefined, {}, "udp", "UDP"],
    ["bind", undefined, { reuseAddr: true }, "reuseAddr", "reuseAddr"],
    ["bind", undefined, { reusePort: true }, "datagramReusePort", "reusePort"],
    ["bind", undefined, { ipv6Only: true }, "datagramIpv6Only", "ipv6Only"],
    ["bind", undefined, { broadcast: true }, "broadcast", "broadcast"],
    ["bind", undefined, { ttl: 64 }, "ttl", "ttl"],
    ["bind", undefined, { multicastTimeToLive: 1 }, "multicastOptions", "multicastTimeToLive"],
    ["bind", undefined, { multicastLoopback: true }, "multicastOptions", "multicastLoopback"],
    ["bind", undefined, { sendBufferSize: 1 }, "datagramBufferSize", "sendBufferSize"],
    ["bind", undefined, { receiveBufferSize: 1 }, "datagramBufferSize", "receiveBufferSize"],
  ];

  function check(
    kind: Case[0],
    target: unknown,
    options: Record<string, unknown>,
    capabilities: Capabilities,
  ): void {
    if (kind === "connect")
      checkSupported(kind, options, normalizeConnect(target, options), { runtime, capabilities });
    if (kind === "listen")
      checkSupported(kind, options, normalizeListen(options), { runtime, capabilities });
    if (kind === "bind")
      checkSupported(kind, options, normalizeBind(options), { runtime, capabilities });
  }

  it.each(cases)("%s %j %j without %s is ENOTSUP", (kind, target, options, missing, what) => {
    let caught: unknown;
    try {
      check(kind, target, options, withOnly(missing));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SocketError);
    expect((caught as SocketError).code).toBe("ENOTSUP");
    expect((caught as SocketError).message).toContain(what);
    expect((caught as SocketError).message).toContain(runtime);
  });

  it.each(cases)("%s %j %j passes with every capability", (kind, target, options) => {
    expect(() => check(kind, target, options, withOnly(undefined))).not.toThrow();
  });

  it("says how to turn a capability on when the runtime gives a hint", () => {
    const platform = { runtime, capabilities: withOnly("udp"), hints: { udp: "run with --flag" } };
    expect(() => checkSupported("bind", {}, normalizeBind({}), platform)).toThrow(
      "ENOTSUP: UDP is not supported on testruntime (run with --flag)",
    );
  });

  it("does not count defaults as given", () => {
    const none = withOnly("udp", false);
    expect(() => check("connect", "h:1", {}, none)).not.toThrow();
    expect(() => check("listen", undefined, {}, none)).not.toThrow();
    expect(() => check("bind", undefined, {}, none)).not.toThrow();
    // Values equal to the defaults but written out: only "given" options count.
    expect(() =>
      check("listen", undefined, { reusePort: false, exclusive: true, allowHalfOpen: false }, none),
    ).not.toThrow();
    expect(() =>
      check("bind", undefined, { reuseAddr: false, broadcast: false }, none),
    ).not.toThrow();
  });
});
