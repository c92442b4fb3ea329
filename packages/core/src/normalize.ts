// Normalising: user options in, every default set explicitly, and the options a runtime
// cannot honour refused with ENOTSUP before any I/O.
import type { Address } from "./address.js";
import { type Capabilities, type Platform, requireCapability } from "./capabilities.js";
import {
  checkBoolean,
  checkFamily,
  checkHostname,
  checkInteger,
  checkIP,
  checkMilliseconds,
  checkOptionsObject,
  checkPath,
  checkPathLength,
  checkPort,
  checkPositiveInteger,
  checkSignal,
  checkTargetFamily,
  checkTTL,
  maxInt32,
  typeError,
} from "./check.js";
import type {
  BindOptions,
  ConnectOptions,
  ListenOptions,
  NormalizedBindOptions,
  NormalizedConnectOptions,
  NormalizedListenOptions,
  NormalizedStreamOptions,
  NormalizedTlsClientOptions,
  NormalizedTlsServerOptions,
  StreamOptions,
} from "./options.js";
import { ipFamily, parseAddress } from "./parse-address.js";
import { normalizeTlsClient, normalizeTlsServer } from "./tls-options.js";

// Records rather than arrays, so that the compiler flags an option added to options.ts but not here.
const streamKeys: Record<keyof StreamOptions, true> = {
  noDelay: true,
  keepAliveDelay: true,
  highWaterMark: true,
  allowHalfOpen: true,
  idleTimeout: true,
};
const connectKeys = Object.keys({
  ...streamKeys,
  timeout: true,
  signal: true,
  localAddress: true,
  family: true,
  sendBufferSize: true,
  receiveBufferSize: true,
  tls: true,
} satisfies Record<keyof ConnectOptions, true>);
const listenKeys = Object.keys({
  ...streamKeys,
  hostname: true,
  port: true,
  path: true,
  fd: true,
  backlog: true,
  reusePort: true,
  ipv6Only: true,
  exclusive: true,
  maxConnections: true,
  signal: true,
  tls: true,
} satisfies Record<keyof ListenOptions, true>);
const bindKeys = Object.keys({
  hostname: true,
  port: true,
  family: true,
  reuseAddr: true,
  reusePort: true,
  ipv6Only: true,
  broadcast: true,
  ttl: true,
  multicastTimeToLive: true,
  multicastLoopback: true,
  receiveBufferSize: true,
  sendBufferSize: true,
  receiveQueueSize: true,
  signal: true,
} satisfies Record<keyof BindOptions, true>);

/** `options[key]` checked, or `fallback` when it is undefined. */
function option<T, D>(
  options: Record<string, unknown>,
  key: string,
  fallback: D,
  check: (name: string, value: unknown) => T,
): T | D {
  const value = options[key];
  return value === undefined ? fallback : check(`options.${key}`, value);
}

/** Which one of several groups of fields was given (if any); two groups together are a TypeError. */
function pickOne<Group extends string>(
  name: string,
  fields: Record<string, unknown>,
  groups: Record<Group, readonly string[]>,
): Group | undefined {
  let picked: { group: Group; key: string } | undefined;
  for (const group of Object.keys(groups) as Group[]) {
    const key = groups[group].find((candidate) => fields[candidate] !== undefined);
    if (key === undefined) continue;
    if (picked) {
      throw new TypeError(
        `The "${name}.${picked.key}" and "${name}.${key}" options cannot be used together`,
      );
    }
    picked = { group, key };
  }
  return picked?.group;
}

/** `StreamOptions.highWaterMark`'s default. */
export const defaultHighWaterMark = 65_536;

function normalizeStream(options: Record<string, unknown>): NormalizedStreamOptions {
  return {
    // omnisock coalesces the writes of one tick itself, so Nagle's algorithm only adds latency.
    noDelay: option(options, "noDelay", true, checkBoolean),
    keepAliveDelay: option(options, "keepAliveDelay", undefined, checkMilliseconds),
    highWaterMark: option(options, "highWaterMark", defaultHighWaterMark, checkPositiveInteger),
    allowHalfOpen: option(options, "allowHalfOpen", false, checkBoolean),
    idleTimeout: option(options, "idleTimeout", 0, checkMilliseconds),
  };
}

/**
 * Check `connect(target, options)` and set every default.
 * `target` is a string for {@link parseAddress}, `{ hostname, port }` or `{ path }`.
 */
export function normalizeConnect(target: unknown, options: unknown): NormalizedConnectOptions {
  const raw = checkOptionsObject("options", options, connectKeys);
  const address = connectTarget(target);
  if (address.transport === "unix") {
    checkPathLength("target", address.path);
    for (const key of ["localAddress", "family", "tls"]) {
      if (raw[key] !== undefined) {
        throw new TypeError(
          `The "options.${key}" option applies to TCP only, not to a Unix socket`,
        );
      }
    }
  }
  // An IP literal is frozen, as a reported address is: a driver may then hand it out as the
  // connection's peer (`connectedPeer`) instead of a copy of the kernel's answer.
  if (address.transport === "tcp" && address.family !== undefined) Object.freeze(address);
  const { noDelay, keepAliveDelay, highWaterMark, allowHalfOpen, idleTimeout } =
    normalizeStream(raw);
  return {
    target: address,
    noDelay,
    keepAliveDelay,
    highWaterMark,
    allowHalfOpen,
    idleTimeout,
    timeout: option(raw, "timeout", 0, checkMilliseconds),
    signal: option(raw, "signal", undefined, checkSignal),
    localAddress: option(raw, "localAddress", undefined, checkIP),
    family: option(raw, "family", undefined, checkFamily),
    sendBufferSize: option(raw, "sendBufferSize", undefined, checkPositiveInteger),
    receiveBufferSize: option(raw, "receiveBufferSize", undefined, checkPositiveInteger),
    tls:
      raw.tls === undefined || raw.tls === false || address.transport === "unix"
        ? undefined
        : normalizeTlsClient("options.tls", raw.tls, address.hostname),
  };
}

function connectTarget(target: unknown): Address {
  if (typeof target === "object" && target !== null) return connectTargetObject(target);
  if (typeof target !== "string") throw typeError("target", "a string or an object", target);
  const address = parseAddress(target);
  if (address.transport === "udp") {
    throw new TypeError(
      `The "target" argument must be a stream address; ${JSON.stringify(target)} is UDP: use bind() for datagrams`,
    );
  }
  if (address.transport === "tcp" && address.hostname === "") {
    throw typeError("target", "an address with a host to connect to", target);
  }
  if (address.transport === "tcp" && address.port === 0) {
    throw new RangeError(
      `The "target" argument must have a port from 1 to 65535. Received ${JSON.stringify(target)}`,
    );
  }
  return address;
}

function connectTargetObject(target: object): Address {
  // "family" is allowed so that an address the library reported (`server.address`) can be passed back.
  const fields = checkOptionsObject("target", target, [
    "hostname",
    "port",
    "path",
    "transport",
    "family",
  ]);
  const kind = pickOne("target", fields, { inet: ["hostname", "port", "family"], unix: ["path"] });
  const transport = kind === "unix" ? "unix" : "tcp";
  if (fields.transport !== undefined && fields.transport !== transport) {
    throw typeError("target.transport", `"${transport}"`, fields.transport);
  }
  if (kind === "unix") return { transport: "unix", path: checkPath("target.path", fields.path) };
  const hostname = checkHostname("target.hostname", fields.hostname);
  const port = checkPort("target.port", fields.port, { allowZero: false });
  const family = checkTargetFamily("target", hostname, fields.family);
  return family === undefined
    ? { transport: "tcp", hostname, port }
    : { transport: "tcp", hostname, port, family };
}

/** Check `listen(options)` and set every default. */
export function normalizeListen(options: unknown): NormalizedListenOptions {
  const raw = checkOptionsObject("options", options, listenKeys);
  const kind = pickOne("options", raw, { inet: ["hostname", "port"], unix: ["path"], fd: ["fd"] });
  return {
    inet:
      kind === undefined || kind === "inet"
        ? {
            hostname: option(raw, "hostname", "0.0.0.0", (name, value) =>
              value === "" ? "0.0.0.0" : checkHostname(name, value),
            ),
            port: option(raw, "port", 0, checkPort),
          }
        : undefined,
    unix:
      kind === "unix"
        ? { transport: "unix", path: checkPath("options.path", raw.path) }
        : undefined,
    fd: kind === "fd" ? checkInteger("options.fd", raw.fd, 0, maxInt32) : undefined,
    // 511 as node:net and nginx, rather than each runtime's own choice.
    backlog: option(raw, "backlog", 511, checkPositiveInteger),
    reusePort: option(raw, "reusePort", false, checkBoolean),
    ipv6Only: option(raw, "ipv6Only", false, checkBoolean),
    exclusive: option(raw, "exclusive", true, checkBoolean),
    maxConnections: option(raw, "maxConnections", Infinity, (name, value) =>
      value === Infinity ? Infinity : checkPositiveInteger(name, value),
    ),
    ...normalizeStream(raw),
    signal: option(raw, "signal", undefined, checkSignal),
    tls: tlsServer(raw.tls, kind),
  };
}

function tlsServer(value: unknown, kind: string | undefined) {
  if (value === undefined) return undefined;
  if (kind !== undefined && kind !== "inet") {
    throw new TypeError(`The "options.tls" option applies to TCP only, not to a Unix socket`);
  }
  return normalizeTlsServer("options.tls", value);
}

/** Check `bind(options)` and set every default. */
export function normalizeBind(options: unknown): NormalizedBindOptions {
  const raw = checkOptionsObject("options", options, bindKeys);
  const hostname =
    raw.hostname === undefined || raw.hostname === ""
      ? undefined
      : checkHostname("options.hostname", raw.hostname);
  const literal = hostname === undefined ? undefined : ipFamily(hostname);
  const impliedFamily = literal === "IPv6" ? 6 : literal === "IPv4" ? 4 : undefined;
  const family = option(raw, "family", impliedFamily ?? 4, checkFamily);
  if (impliedFamily !== undefined && impliedFamily !== family) {
    throw new TypeError(
      `The "options.family" option (${family}) does not match "options.hostname" (${JSON.stringify(hostname)}, an IPv${impliedFamily} address)`,
    );
  }
  return {
    hostname: hostname ?? (family === 6 ? "::" : "0.0.0.0"),
    port: option(raw, "port", 0, checkPort),
    family,
    reuseAddr: option(raw, "reuseAddr", false, checkBoolean),
    reusePort: option(raw, "reusePort", false, checkBoolean),
    ipv6Only: option(raw, "ipv6Only", false, checkBoolean),
    broadcast: option(raw, "broadcast", false, checkBoolean),
    ttl: option(raw, "ttl", undefined, checkTTL),
    // 0 keeps multicast on this host; 1, the default of the WICG Direct Sockets standard, on this link.
    multicastTimeToLive: option(raw, "multicastTimeToLive", 1, (name, value) =>
      checkInteger(name, value, 0, 255),
    ),
    multicastLoopback: option(raw, "multicastLoopback", true, checkBoolean),
    receiveBufferSize: option(raw, "receiveBufferSize", undefined, checkPositiveInteger),
    sendBufferSize: option(raw, "sendBufferSize", undefined, checkPositiveInteger),
    receiveQueueSize: option(raw, "receiveQueueSize", 1024, checkPositiveInteger),
    signal: option(raw, "signal", undefined, checkSignal),
  };
}

// ---- capabilities: an option the user gave that the runtime cannot honour is ENOTSUP ----

interface NormalizedByKind {
  connect: NormalizedConnectOptions;
  listen: NormalizedListenOptions;
  bind: NormalizedBindOptions;
}

/** [capability needed, what the error names, whether the user asked for it] */
type Rule<Normalized> = readonly [
  capability: keyof Capabilities,
  what: string,
  given: (raw: Record<string, unknown>, normalized: Normalized) => boolean,
];

/** What a TLS client may ask for that a runtime cannot give: for connect and startTls alike. */
const tlsClientRules: readonly (readonly [
  capability: keyof Capabilities,
  what: string,
  given: (tls: NormalizedTlsClientOptions) => boolean,
])[] = [
  ["tlsNoVerify", "tls.rejectUnauthorized: false", (tls) => !tls.rejectUnauthorized],
  ["tlsClientCertificate", "tls.cert", (tls) => tls.cert !== undefined],
];

/** What a TLS server may ask for that a runtime cannot give: for listen and startTls alike. */
const tlsServerRules: readonly (readonly [
  capability: keyof Capabilities,
  what: string,
  given: (tls: NormalizedTlsServerOptions) => boolean,
])[] = [["tlsClientAuth", "tls.requestCert", (tls) => tls.requestCert]];

/** Throw `ENOTSUP` for the first TLS client option the runtime cannot honour. */
export function checkTlsClientSupported(tls: NormalizedTlsClientOptions, platform: Platform): void {
  for (const [capability, what, isGiven] of tlsClientRules) {
    if (isGiven(tls)) requireCapability(platform, capability, what);
  }
}

/** Throw `ENOTSUP` for the first TLS server option the runtime cannot honour. */
export function checkTlsServerSupported(tls: NormalizedTlsServerOptions, platform: Platform): void {
  for (const [capability, what, isGiven] of tlsServerRules) {
    if (isGiven(tls)) requireCapability(platform, capability, what);
  }
}

const given = (key: string) => (raw: Record<string, unknown>) => raw[key] !== undefined;

const rules: { [Kind in keyof NormalizedByKind]: readonly Rule<NormalizedByKind[Kind]>[] } = {
  connect: [
    ["unix", "Unix-domain sockets", (_, options) => options.target.transport === "unix"],
    [
      "unixAbstract",
      "abstract Unix names (@name)",
      (_, options) => options.target.transport === "unix" && options.target.path.startsWith("@"),
    ],
    ["keepAliveDelay", "keepAliveDelay", given("keepAliveDelay")],
    ["streamBufferSize", "sendBufferSize", given("sendBufferSize")],
    ["streamBufferSize", "receiveBufferSize", given("receiveBufferSize")],
    ["connectLocalAddress", "localAddress", given("localAddress")],
    ["halfOpen", "allowHalfOpen: true", (_, options) => options.allowHalfOpen],
    ["tls", "TLS", (_, options) => options.tls !== undefined],
    ...tlsClientRules.map(([capability, what, isGiven]): Rule<NormalizedConnectOptions> => [
      capability,
      what,
      (_, options) => options.tls !== undefined && isGiven(options.tls),
    ]),
  ],
  listen: [
    ["unix", "Unix-domain sockets", (_, options) => options.unix !== undefined],
    [
      "unixAbstract",
      "abstract Unix names (@name)",
      (_, options) => options.unix?.path.startsWith("@") === true,
    ],
    ["listenFd", "fd", (_, options) => options.fd !== undefined],
    ["listenReusePort", "reusePort: true", (_, options) => options.reusePort],
    ["exclusive", "exclusive: false", (_, options) => !options.exclusive],
    ["listenIpv6Only", "ipv6Only: true", (_, options) => options.ipv6Only],
    ["backlog", "backlog", (raw, options) => raw.backlog !== undefined && !options.unix],
    [
      "unixBacklog",
      "backlog on a Unix listener",
      (raw, options) => raw.backlog !== undefined && options.unix !== undefined,
    ],
    ["keepAliveDelay", "keepAliveDelay", given("keepAliveDelay")],
    ["halfOpen", "allowHalfOpen: true", (_, options) => options.allowHalfOpen],
    ["tls", "TLS", (_, options) => options.tls !== undefined],
    [
      "tlsServerNoDelay",
      "noDelay: true with tls",
      (raw, options) => options.tls !== undefined && raw.noDelay === true,
    ],
    ...tlsServerRules.map(([capability, what, isGiven]): Rule<NormalizedListenOptions> => [
      capability,
      what,
      (_, options) => options.tls !== undefined && isGiven(options.tls),
    ]),
  ],
  bind: [
    ["udp", "UDP", () => true],
    ["reuseAddr", "reuseAddr: true", (_, options) => options.reuseAddr],
    ["datagramReusePort", "reusePort: true", (_, options) => options.reusePort],
    ["datagramIpv6Only", "ipv6Only: true", (_, options) => options.ipv6Only],
    ["broadcast", "broadcast: true", (_, options) => options.broadcast],
    ["ttl", "ttl", given("ttl")],
    ["multicastOptions", "multicastTimeToLive", given("multicastTimeToLive")],
    ["multicastOptions", "multicastLoopback", given("multicastLoopback")],
    ["datagramBufferSize", "sendBufferSize", given("sendBufferSize")],
    ["datagramBufferSize", "receiveBufferSize", given("receiveBufferSize")],
  ],
};

/**
 * Throw `ENOTSUP` for the first option the user gave (in `raw`, or implied by the target)
 * that `capabilities` says the runtime cannot honour. Defaults never count as given.
 */
export function checkSupported<Kind extends keyof NormalizedByKind>(
  kind: Kind,
  raw: Record<string, unknown>,
  normalized: NormalizedByKind[Kind],
  platform: Platform,
): void {
  for (const [capability, what, isGiven] of rules[kind] as readonly Rule<
    NormalizedByKind[Kind]
  >[]) {
    if (isGiven(raw, normalized)) requireCapability(platform, capability, what);
  }
}
