// Deno's address shapes → omnisock's SocketAddress.
import { inetAddress, unixAddress } from "@omnisock/core/driver";
import type { SocketAddress } from "@omnisock/core/driver";
import type { NetAddr, UnixAddr } from "./deno.js";

/** A stream's end as Deno reports it. Read once, so that it stays readable after close. */
export function socketAddress(address: NetAddr | UnixAddr): SocketAddress {
  return address.transport === "unix"
    ? unixAddress(address.path)
    : inetAddress("tcp", address.hostname, address.port);
}
