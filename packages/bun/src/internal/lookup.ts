// Names → IP addresses through Bun.dns: https://bun.com/docs/api/dns
// Bun.connect and Bun.udpSocket would resolve with Bun's own resolver and cannot be asked
// for one family; UDP `send` resolves nothing. So the driver resolves every name here, once,
// through the system resolver, and hands Bun IP literals only.
import { answeredAddresses, inetAddress, ipFamily } from "@omnisock/core/driver";
import type { ErrorContext, InetAddress } from "@omnisock/core/driver";
import { bun } from "./bun.js";
import { toSocketError } from "./error.js";

/** Every address of `hostname`, in the resolver's order. An IP literal of the other family fails, as on Node. */
export async function lookup(hostname: string, family: 4 | 6 | undefined): Promise<InetAddress[]> {
  const found = await query(hostname, family, { syscall: "lookup", name: hostname });
  return found.map((address) => inetAddress("tcp", address, 0));
}

/** `hostname` itself when it is an IP literal, else its addresses; failures are told as `context` says. */
export function resolve(
  hostname: string,
  family: 4 | 6 | undefined,
  context: ErrorContext,
): Promise<string[]> {
  return ipFamily(hostname) ? Promise.resolve([hostname]) : query(hostname, family, context);
}

async function query(
  hostname: string,
  family: 4 | 6 | undefined,
  context: ErrorContext,
): Promise<string[]> {
  try {
    // "system" is getaddrinfo, so /etc/hosts and nsswitch apply as on Node; Bun's default
    // on Linux is c-ares, which skips nsswitch.
    const found = await bun.dns.lookup(hostname, { family: family ?? 0, backend: "system" });
    return answeredAddresses(found, hostname, context.syscall);
  } catch (error) {
    throw toSocketError(error, context);
  }
}
