// Deno's address shapes → omnisock's SocketAddress, and omnisock's Unix names → Deno's.
import { ipFamily } from "@omnisock/core";
import type { InetAddress, SocketAddress, UnixAddress } from "@omnisock/core";
import type { NetAddr, UnixAddr } from "./deno.js";

/** An IP endpoint; the family is read from the address itself. */
export function inetAddress(transport: "tcp" | "udp", hostname: string, port: number): InetAddress {
  return { transport, hostname, port, family: ipFamily(hostname) ?? "IPv4" };
}

/** A stream's end as Deno reports it. Read once, so that it stays readable after close. */
export function socketAddress(address: NetAddr | UnixAddr): SocketAddress {
  return address.transport === "unix"
    ? unixAddress(address.path)
    : inetAddress("tcp", address.hostname, address.port);
}

/** The unnamed side of a Unix connection has a `null` path; an abstract name starts with NUL. */
export function unixAddress(path: string | null): UnixAddress {
  const name = path ?? "";
  return { transport: "unix", path: name.startsWith("\0") ? `@${name.slice(1)}` : name };
}

/** omnisock writes a Linux abstract name `@name`; Deno, like the kernel, wants a leading NUL. */
export function denoPath(address: UnixAddress): string {
  return address.path.startsWith("@") ? `\0${address.path.slice(1)}` : address.path;
}
