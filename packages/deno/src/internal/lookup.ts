// Names → IP addresses through getaddrinfo, as Deno's node:dns runs it.
// https://docs.deno.com/api/node/dns/
// Deno has no getaddrinfo of its own: Deno.resolveDns asks DNS servers directly and skips
// nsswitch (and so mDNS, LDAP and the like), which `lookup()` promises. Its node:dns
// `lookup` is getaddrinfo, as Node's is. Deno.connect and DatagramConn.send resolve names
// themselves (getaddrinfo too), so this is used only for `lookup()` and for `family`.
import { answeredAddresses, inetAddress, ipFamily } from "@omnisock/core/driver";
import type { ErrorContext, InetAddress } from "@omnisock/core/driver";
import { nodeDns } from "./deno.js";
import { toSocketError } from "./error.js";

/** Every address of `hostname`, in the resolver's order. An IP literal of the other family fails, as on Node. */
export async function lookup(hostname: string, family: 4 | 6 | undefined): Promise<InetAddress[]> {
  const found = await query(hostname, family, { syscall: "lookup", name: hostname });
  return found.map((address) => inetAddress("tcp", address, 0));
}

/** `hostname` itself when it is an IP literal or no family is asked for, else its first address of `family`. */
export async function resolve(
  hostname: string,
  family: 4 | 6 | undefined,
  context: ErrorContext,
): Promise<string> {
  if (family === undefined || ipFamily(hostname)) return hostname;
  const [first] = await query(hostname, family, context);
  return first!;
}

async function query(
  hostname: string,
  family: 4 | 6 | undefined,
  context: ErrorContext,
): Promise<string[]> {
  try {
    const dns = await nodeDns();
    // "verbatim": the resolver's order, as getaddrinfo gives it (and as Node and Bun do).
    const found = await dns.promises.lookup(hostname, {
      all: true,
      family: family ?? 0,
      order: "verbatim",
    });
    return answeredAddresses(found, hostname, context.syscall);
  } catch (error) {
    throw toSocketError(error, context);
  }
}
