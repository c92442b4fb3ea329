export type Family = "IPv4" | "IPv6";

/** An IP endpoint as the library reports it: always resolved, so `family` is known. */
export interface InetAddress {
  readonly transport: "tcp" | "udp";
  /** An IP literal without brackets; an IPv6 zone stays attached (`fe80::1%eth0`). */
  readonly hostname: string;
  readonly port: number;
  readonly family: Family;
}

/**
 * A Unix-domain endpoint. A `path` starting with `@` is a Linux abstract name
 * (`unix:@name`), as `ss` and systemd write it; a file whose name starts with `@`
 * is written `./@name`.
 */
export interface UnixAddress {
  readonly transport: "unix";
  readonly path: string;
}

/** Every address the library reports: `localAddress`, `remoteAddress`, `server.address`, lookups. */
export type SocketAddress = InetAddress | UnixAddress;

/**
 * An address as a user writes it: the host may be a name still to resolve (so `family`
 * is known only for IP literals) or empty, meaning every interface.
 */
export interface HostAddress {
  readonly transport: "tcp" | "udp";
  readonly hostname: string;
  readonly port: number;
  readonly family?: Family | undefined;
}

/** What {@link parseAddress} returns and {@link formatAddress} accepts. */
export type Address = HostAddress | UnixAddress;
