import { SocketError } from "./error.js";

/**
 * The addresses in a system resolver's answer, in its order. An empty answer, which
 * getaddrinfo never gives but a runtime's resolver may pass on, fails as a name that does
 * not exist would.
 */
export function answeredAddresses(
  answer: readonly { readonly address: string }[],
  hostname: string,
  syscall: string,
): string[] {
  if (answer.length === 0) {
    throw new SocketError("ENOTFOUND", `${syscall} ${hostname} found no address`, { syscall });
  }
  return answer.map(({ address }) => address);
}
