/** The IP family of an address, as addresses report it. */
export type Family = "IPv4" | "IPv6";

/**
 * An IP endpoint as the library reports it: always resolved, so `family` is known. Frozen,
 * and readable after its socket has closed.
 */
export interface InetAddress {
  /** `"tcp"` for a stream socket (TLS included), `"udp"` for a datagram socket. */
  readonly transport: "tcp" | "udp";
  /** An IP literal without brackets; an IPv6 zone stays attached (`fe80::1%eth0`). */
  readonly hostname: string;
  /** The port, from 1 to 65535 (0 in a {@link Omnisock.lookup} answer). */
  readonly port: number;
  /** Whether `hostname` is an IPv4 or an IPv6 address. */
  readonly family: Family;
}

/**
 * A Unix-domain endpoint. A `path` starting with `@` is a Linux abstract name
 * (`unix:@name`), as `ss` and systemd write it; a file whose name starts with `@`
 * is written `./@name`.
 */
export interface UnixAddress {
  /** Always `"unix"`: what tells it from an {@link InetAddress}. */
  readonly transport: "unix";
  /**
   * The socket's path, or `@name` for an abstract name; `""` for the unnamed end of a
   * connection (a client that did not bind).
   */
  readonly path: string;
}

/** Every address the library reports: `localAddress`, `remoteAddress`, `server.address`, lookups. */
export type SocketAddress = InetAddress | UnixAddress;

/**
 * An address as a user writes it: the host may be a name still to resolve (so `family`
 * is known only for IP literals) or empty, meaning every interface.
 */
export interface HostAddress {
  /** `"tcp"` for a stream address, `"udp"` for a datagram one (`udp://…`). */
  readonly transport: "tcp" | "udp";
  /** A host name, an IP literal without brackets, or `""` for every interface. */
  readonly hostname: string;
  /** The port, from 0 to 65535. */
  readonly port: number;
  /** The family of an IP literal `hostname`; `undefined` for a name or `""`. */
  readonly family?: Family | undefined;
}

/** What {@link parseAddress} returns and {@link formatAddress} accepts. */
export type Address = HostAddress | UnixAddress;

/**
 * An IP endpoint as a runtime reports it, frozen: an address omnisock reports cannot change,
 * so one passed back as a datagram target need not be checked again. The family is read from
 * the address itself, not from the runtime: Node 18.0–18.3 reported it as a number, and a
 * socket that is already gone reports none (nor a host or port: those become `""` and `0`).
 */
export function inetAddress(
  transport: "tcp" | "udp",
  hostname: string | undefined,
  port: number | undefined,
): InetAddress {
  const host = hostname ?? "";
  // A runtime reports an IP literal, and of those only IPv6 ones hold a ":": no full parse
  // (`ipFamily`) on the path of every received datagram.
  const family = host.includes(":") ? "IPv6" : "IPv4";
  return Object.freeze({ transport, hostname: host, port: port ?? 0, family });
}

/**
 * The local address of every connection a listener bound to `listening` accepts, when that is
 * known without asking the kernel: a TCP listener on one IP address (not a wildcard such as
 * `0.0.0.0` or `::`, whose connections each have their own). A driver hands it to each
 * accepted connection instead of reading and copying the same address 10,000 times.
 */
export function acceptedLocal(listening: SocketAddress): InetAddress | undefined {
  if (listening.transport === "unix") return undefined;
  const host = listening.hostname;
  // What a runtime reports for a wildcard bind; also an IPv4-mapped one in the IPv6 form.
  if (host === "0.0.0.0" || host === "::" || host === "::ffff:0.0.0.0" || host === "")
    return undefined;
  return listening;
}

/** `connectedPeer`'s last answer. */
let lastPeer: InetAddress | undefined;

/**
 * The peer of a TCP connection made to `target` (an IP literal, as drivers get it), when the
 * target spells it as the kernel would: an IPv4 address (core lets through no leading zeros)
 * other than `0.0.0.0`, which reaches the local host under another address. A driver then
 * needs no getpeername, nor a copy of its answer, for each connection. IPv6 text has several
 * spellings of one address (`::1`, `0:0::1`): those are read from the kernel.
 */
export function connectedPeer(target: HostAddress): InetAddress | undefined {
  const host = target.hostname;
  if (host.includes(":") || host === "0.0.0.0") return undefined;
  // Connections to one peer (a pool) share its address: one object, not one per connection.
  const last = lastPeer;
  if (last !== undefined && last.hostname === host && last.port === target.port) return last;
  // The target the user gave, frozen by core, serves as it is: the same four fields.
  const peer =
    target.family === "IPv4" && Object.isFrozen(target)
      ? (target as InetAddress)
      : inetAddress("tcp", host, target.port);
  lastPeer = peer;
  return peer;
}

/**
 * A Unix endpoint from the path a runtime reports. The unnamed side of a connection (a
 * client that did not bind) has an empty path, or none; a Linux abstract name, which the
 * kernel writes with a leading NUL byte, becomes `@name`.
 */
export function unixAddress(path: string | null | undefined): UnixAddress {
  const name = path ?? "";
  return { transport: "unix", path: name.startsWith("\0") ? `@${name.slice(1)}` : name };
}

/**
 * The path to hand a runtime for a Unix address: omnisock writes a Linux abstract name
 * `@name`, the kernel (and so Node, Bun and Deno) wants a leading NUL byte instead.
 */
export function kernelPath(address: UnixAddress): string {
  return address.path.startsWith("@") ? `\0${address.path.slice(1)}` : address.path;
}
