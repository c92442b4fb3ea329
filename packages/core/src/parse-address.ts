import type { Address, Family, SocketAddress } from "./address.js";

const decimalOctet = /^(?:0|[1-9]\d{0,2})$/;
const hexGroup = /^[\da-f]{1,4}$/i;
// RFC 6874: a zone id holds URI-unreserved characters only.
const zoneId = /^[\w.~-]+$/;
// RFC 1123 labels, plus "_" as service and container names use it.
const hostLabel = /^[\da-z_](?:[\da-z_-]{0,61}[\da-z_])?$/i;

/**
 * The IP family of an address literal, or `undefined` when `hostname` is not one.
 * IPv4 is the strict dotted quad (`127.0.0.1`; not `127.1`, not `0177.0.0.1`). IPv6 is any
 * RFC 4291 text form, with an IPv4 tail (`::ffff:1.2.3.4`) and a zone (`fe80::1%eth0`).
 */
export function ipFamily(hostname: string): Family | undefined {
  if (isIPv4(hostname)) return "IPv4";
  if (isIPv6(hostname)) return "IPv6";
  return undefined;
}

function isIPv4(text: string): boolean {
  const parts = text.split(".");
  return (
    parts.length === 4 && parts.every((part) => decimalOctet.test(part) && Number(part) <= 255)
  );
}

function isIPv6(text: string): boolean {
  const percent = text.indexOf("%");
  if (percent !== -1 && !zoneId.test(text.slice(percent + 1))) return false;
  const halves = (percent === -1 ? text : text.slice(0, percent)).split("::");
  if (halves.length > 2) return false;
  let groups = 0;
  for (const [halfIndex, half] of halves.entries()) {
    if (half === "") continue;
    const parts = half.split(":");
    for (const [index, part] of parts.entries()) {
      const last = halfIndex === halves.length - 1 && index === parts.length - 1;
      if (last && part.includes(".")) {
        if (!isIPv4(part)) return false;
        groups += 2;
      } else if (hexGroup.test(part)) {
        groups += 1;
      } else {
        return false;
      }
    }
  }
  // "::" stands for one or more groups of zeros.
  return halves.length === 2 ? groups <= 7 : groups === 8;
}

/**
 * Whether `text` is a valid DNS host name (RFC 1123 labels of letters, digits, `-` and `_`,
 * at most 253 characters, one trailing dot allowed). IP literals are not host names.
 */
export function isHostName(text: string): boolean {
  const name = text.endsWith(".") ? text.slice(0, -1) : text;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split(".");
  // A name ending in a number is a malformed IPv4 address ("1.2.3.256", "127.1"), as the
  // WHATWG URL parser decides.
  return labels.every((label) => hostLabel.test(label)) && !/^\d+$/.test(labels.at(-1) ?? "");
}

/** Whether `path` can name a Unix socket: a file path, or `@name` for a Linux abstract name. */
export function isUnixPath(path: string): boolean {
  return path !== "" && path !== "@" && !path.includes("\0");
}

/**
 * Parse an address as a user writes it:
 * `host:port`, `[v6]:port`, `[fe80::1%25eth0]:port`, `tcp://host:port`, `udp://host:port`,
 * `unix:///absolute/path`, `unix:/absolute/path`, `unix:./relative`, `unix:@abstract`.
 * An empty host (`":8080"`) means every interface. `family` is set for IP literals only.
 *
 * `transport` applies when the input has no scheme. Anything starting with `unix:` is a
 * Unix path, so a TCP host named `unix` is written `tcp://unix:80`. A host must be an IP
 * address (IPv4 as a strict dotted quad, IPv6 in brackets, a zone as `%eth0` or `%25eth0`) or
 * a valid DNS name; nothing is resolved.
 *
 * @param input The address, as a user writes it.
 * @param transport What an address without a scheme is.
 * @returns A {@link HostAddress} or a {@link UnixAddress}.
 * @throws TypeError for a malformed address, RangeError for a bad port; the message quotes the input.
 */
export function parseAddress(input: string, transport: "tcp" | "udp" = "tcp"): Address {
  if (typeof input !== "string") {
    throw new TypeError(
      `The "address" argument must be a string. Received type ${input === null ? "null" : typeof input}`,
    );
  }
  if (transport !== "tcp" && transport !== "udp") {
    throw new TypeError(
      `The "transport" argument must be "tcp" or "udp". Received ${String(transport)}`,
    );
  }
  if (/^unix:/i.test(input)) return parseUnix(input);
  const scheme = /^([a-z][\w+.-]*):\/\//i.exec(input)?.[1]?.toLowerCase();
  if (scheme === undefined) return parseHostPort(input, input, transport);
  if (scheme === "tcp" || scheme === "udp") {
    return parseHostPort(input, input.slice(scheme.length + 3), scheme);
  }
  throw new TypeError(
    invalid(input, `unknown scheme "${scheme}://" (use tcp://, udp:// or unix:)`),
  );
}

function invalid(input: string, why: string): string {
  return `Invalid address ${JSON.stringify(input)}: ${why}`;
}

function parseUnix(input: string): Address {
  const rest = input.slice("unix:".length);
  // "unix://" starts the URL form, whose authority must be empty: "unix:///path".
  const path = rest.startsWith("//") ? rest.slice(2) : rest;
  if (rest.startsWith("//") && !path.startsWith("/")) {
    throw new TypeError(
      invalid(input, 'after "unix://" the path must be absolute, as in "unix:///tmp/app.sock"'),
    );
  }
  if (!isUnixPath(path)) {
    throw new TypeError(invalid(input, "expected a Unix socket path or an @abstract name"));
  }
  return { transport: "unix", path };
}

function parseHostPort(input: string, text: string, transport: "tcp" | "udp"): Address {
  let hostname: string;
  let portText: string;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close === -1) throw new TypeError(invalid(input, 'the "[" is not closed'));
    if (text[close + 1] !== ":")
      throw new TypeError(invalid(input, 'the port is missing: write "[host]:port"'));
    hostname = decodeZone(text.slice(1, close));
    portText = text.slice(close + 2);
    if (ipFamily(hostname) !== "IPv6") {
      throw new TypeError(invalid(input, "brackets must hold an IPv6 address"));
    }
  } else {
    const colon = text.lastIndexOf(":");
    if (colon === -1) throw new TypeError(invalid(input, 'the port is missing: write "host:port"'));
    hostname = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (hostname.includes(":")) {
      const example = ipFamily(hostname) === "IPv6" ? `[${hostname}]:${portText}` : "[::1]:8080";
      throw new TypeError(
        invalid(input, `an IPv6 address must be in brackets, as in "${example}"`),
      );
    }
  }
  const family = hostname === "" ? undefined : ipFamily(hostname);
  if (hostname !== "" && family === undefined && !isHostName(hostname)) {
    throw new TypeError(
      invalid(input, `"${hostname}" is neither an IP address nor a valid host name`),
    );
  }
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) {
    throw new RangeError(invalid(input, "the port must be an integer from 0 to 65535"));
  }
  const port = Number(portText);
  return family === undefined
    ? { transport, hostname, port }
    : { transport, hostname, port, family };
}

// In a URI the "%" before a zone is escaped as "%25" (RFC 6874); both spellings are accepted.
// A bare zone that itself starts with "25" is therefore written "%2525…" by formatAddress.
function decodeZone(hostname: string): string {
  const percent = hostname.indexOf("%");
  return percent !== -1 && hostname.startsWith("25", percent + 1) && hostname.length > percent + 3
    ? hostname.slice(0, percent + 1) + hostname.slice(percent + 3)
    : hostname;
}

function encodeZone(hostname: string): string {
  const percent = hostname.indexOf("%");
  return percent !== -1 && hostname.startsWith("25", percent + 1)
    ? `${hostname.slice(0, percent + 1)}25${hostname.slice(percent + 1)}`
    : hostname;
}

/**
 * The inverse of {@link parseAddress}: `host:port` for TCP (IPv6 in brackets),
 * `udp://host:port` for UDP, `unix:///absolute`, `unix:@abstract` and `unix:relative`.
 * Any address the library reports, or `parseAddress` returns, reads back as it was.
 *
 * @param address The address to write.
 * @returns The address as text.
 * @throws TypeError when `address` has no `transport` of `"tcp"`, `"udp"` or `"unix"`.
 */
export function formatAddress(address: Address | SocketAddress): string {
  const transport: unknown = address?.transport;
  if (transport !== "tcp" && transport !== "udp" && transport !== "unix") {
    throw new TypeError(
      `The "address" argument must be an address with a transport of "tcp", "udp" or "unix". Received ${String(transport)}`,
    );
  }
  if (address.transport === "unix") {
    return address.path.startsWith("/") ? `unix://${address.path}` : `unix:${address.path}`;
  }
  const host = address.hostname.includes(":")
    ? `[${encodeZone(address.hostname)}]`
    : address.hostname;
  const text = `${host}:${address.port}`;
  // A TCP host named "unix" needs its scheme too, or it would read back as a Unix path.
  return address.transport === "udp" || /^unix:/i.test(text)
    ? `${address.transport}://${text}`
    : text;
}
