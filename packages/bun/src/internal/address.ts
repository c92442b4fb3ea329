// Bun's address shapes → omnisock's SocketAddress, and omnisock's Unix names → Bun's.
import { ipFamily } from "@omnisock/core";
import type { InetAddress, UnixAddress } from "@omnisock/core";

/** An IP endpoint; the family is read from the address itself. */
export function inetAddress(
  transport: "tcp" | "udp",
  hostname: string | undefined,
  port: number | undefined,
): InetAddress {
  const host = hostname ?? "";
  return { transport, hostname: host, port: port ?? 0, family: ipFamily(host) ?? "IPv4" };
}

/** omnisock writes a Linux abstract name `@name`; Bun, like the kernel, wants a leading NUL. */
export function bunPath(address: UnixAddress): string {
  return address.path.startsWith("@") ? `\0${address.path.slice(1)}` : address.path;
}

/** The unnamed side of a Unix connection (a client that did not bind) has an empty path. */
export const unnamed: UnixAddress = Object.freeze({ transport: "unix", path: "" });
