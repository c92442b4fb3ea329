/**
 * The echo service itself: every byte that comes in goes back out, over TCP, UDP and
 * (optionally) a Unix socket. Shared by the server command and the demo.
 */
import {
  bind,
  type DatagramSocket,
  listen,
  type Server,
  type Socket,
  SocketError,
} from "./omnisock.js";

export interface EchoOptions {
  readonly hostname: string;
  /** TCP port; 0 lets the system pick. */
  readonly port: number;
  /** UDP port; 0 lets the system pick. */
  readonly udpPort: number;
  /** A Unix socket path, or `undefined` for none. */
  readonly unixPath: string | undefined;
  /** Told of everything the service opens: listeners, the UDP socket, each connection. */
  readonly onOpen?: (item: Socket | Server | DatagramSocket) => void;
}

export interface Echo {
  readonly tcp: Server;
  readonly udp: DatagramSocket;
  readonly unix: Server | undefined;
  /**
   * Stop: no new connections, let open ones finish for up to `grace` milliseconds, then
   * close what is left.
   */
  close(grace?: number): Promise<void>;
}

export async function startEcho(options: EchoOptions): Promise<Echo> {
  const { hostname, onOpen } = options;
  const opened: { close(): Promise<void> }[] = [];
  const echoStream = (socket: Socket) => {
    onOpen?.(socket);
    return pipeBack(socket);
  };
  try {
    const tcp = await listen({ hostname, port: options.port }, echoStream);
    opened.push(tcp);
    onOpen?.(tcp);
    const udp = await bind({ hostname, port: options.udpPort });
    opened.push(udp);
    onOpen?.(udp);
    const unix =
      options.unixPath === undefined
        ? undefined
        : await listen({ path: options.unixPath }, echoStream);
    if (unix) onOpen?.(unix);
    const datagrams = echoDatagrams(udp).catch((error: unknown) => {
      console.error("[echo] the UDP echo loop failed:", error);
    });
    return {
      tcp,
      udp,
      unix,
      async close(grace = 2_000) {
        const servers = unix ? [tcp, unix] : [tcp];
        let timer: ReturnType<typeof setTimeout> | undefined;
        const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, grace)));
        await Promise.race([Promise.all(servers.map((server) => server.close())), expired]);
        clearTimeout(timer);
        // What is still open after the grace period is closed now (a no-op when nothing is).
        await Promise.all(servers.map((server) => server.close({ graceful: false })));
        await udp.close();
        await datagrams;
      },
    };
  } catch (error) {
    // A later listener failed (say, the Unix path is taken): do not leave the earlier ones open.
    await Promise.all(opened.map((item) => item.close()));
    throw error;
  }
}

/** Echo a stream until the peer ends it; the engine then closes it, as `allowHalfOpen` is off. */
async function pipeBack(socket: Socket): Promise<void> {
  try {
    for await (const chunk of socket) {
      // The engine never reuses a chunk's memory, so writing it back as it is is safe.
      if (!socket.write(chunk)) await socket.flush();
    }
  } catch (error) {
    // A reset or a timeout ends the connection; the monitor reports it. Anything else is a bug.
    if (!(error instanceof SocketError)) throw error;
  }
}

/** Echo each datagram to its sender, until the socket closes. */
async function echoDatagrams(udp: DatagramSocket): Promise<void> {
  for await (const { data, remote } of udp) {
    try {
      await udp.send(data, remote);
    } catch (error) {
      // The socket closed meanwhile, or the sender's port is gone: drop this one, as UDP would.
      if (!(error instanceof SocketError)) throw error;
    }
  }
}
