// Node's address shapes → omnisock's SocketAddress, and omnisock's Unix names → Node's.
import { isIPv6 } from "node:net";
import type { InetAddress, UnixAddress } from "@omnisock/core";

/**
 * An IP endpoint. The family is read from the address itself: Node 18.0–18.3 reported it
 * as a number, and a socket that is already gone reports none.
 */
export function inetAddress(
  transport: "tcp" | "udp",
  hostname: string | undefined,
  port: number | undefined,
): InetAddress {
  const host = hostname ?? "";
  return { transport, hostname: host, port: port ?? 0, family: isIPv6(host) ? "IPv6" : "IPv4" };
}

/** omnisock writes a Linux abstract name `@name`; Node wants a leading NUL byte. */
export function nodePath(address: UnixAddress): string {
  return address.path.startsWith("@") ? `\0${address.path.slice(1)}` : address.path;
}

/** The unnamed side of a Unix connection (a client that did not bind) has an empty path. */
export function unixAddress(path: string | undefined): UnixAddress {
  const name = path ?? "";
  return { transport: "unix", path: name.startsWith("\0") ? `@${name.slice(1)}` : name };
}
