import { bind, type DatagramSocket, lookup } from "./omnisock.js";

/**
 * A UDP socket connected to `target`, so that `send` needs no address and only the server's
 * datagrams come in. A name such as "localhost" is resolved once, which also tells the
 * family to bind.
 */
export async function connectDatagram(
  target: { readonly hostname: string; readonly port: number },
  signal?: AbortSignal,
): Promise<DatagramSocket> {
  const [remote] = await lookup(target.hostname);
  if (!remote) throw new Error(`${target.hostname} has no address`);
  // A client of a loopback server need not listen on every interface.
  const loopback = remote.hostname.startsWith("127.") || remote.hostname === "::1";
  const hostname = loopback ? remote.hostname : remote.family === "IPv6" ? "::" : "0.0.0.0";
  const socket = await bind({ hostname, port: 0, signal });
  try {
    await socket.connect({ hostname: remote.hostname, port: target.port });
  } catch (error) {
    await socket.close();
    throw error;
  }
  return socket;
}
