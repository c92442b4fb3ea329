// Peers for the compatibility entries' tests: real sockets on loopback, served by omnisock's
// own `listen()` so that they run the same inside Node, Bun and Deno. The conformance suite's
// helpers and test PKI are reused as they are (relative imports of packages/conformance/src).
import type { Server, Socket } from "omnisock";
import { connect, listen } from "omnisock";
import type { EventEmitter } from "node:events";
import { defer, sleep, within } from "../../conformance/src/helpers.js";
import { serverCert, serverKey } from "../../conformance/src/fixtures/tls.js";

export { bytes, concat, defer, sleep, text, until, within } from "../../conformance/src/helpers.js";
export { caCert } from "../../conformance/src/fixtures/tls.js";

/**
 * A server on 127.0.0.1 that runs `handle` for each connection; closed when the case ends.
 * Half-open, so that a handler may still answer after the client's FIN.
 */
export async function serve(
  handle: (socket: Socket) => unknown,
  options: { tls?: boolean } = {},
): Promise<Server & { port: number }> {
  const server = await listen(
    {
      hostname: "127.0.0.1",
      port: 0,
      allowHalfOpen: true,
      ...(options.tls
        ? { tls: { cert: serverCert, key: serverKey, alpnProtocols: ["omnisock/1"] } }
        : {}),
    },
    (socket) => {
      // A peer's failure is the case's to observe, not an unhandled rejection.
      Promise.resolve()
        .then(() => handle(socket))
        .catch(() => socket.reset());
    },
  );
  defer(() => server.close({ graceful: false }));
  const { address } = server;
  if (address.transport === "unix") throw new Error("a TCP server was asked for");
  return Object.assign(server, { port: address.port });
}

/** Send every byte back, then end when the peer does. */
async function echoing(socket: Socket): Promise<void> {
  for await (const chunk of socket) socket.write(chunk);
  await socket.end();
}

/** An echo server; with `tls`, TLS with the test CA's "localhost" certificate. */
export function echo(options: { tls?: boolean } = {}): Promise<Server & { port: number }> {
  return serve(echoing, options);
}

async function pipe(from: Socket, to: Socket): Promise<void> {
  for await (const chunk of from) if (!to.write(chunk)) await to.flush();
  await to.end();
}

/**
 * A STARTTLS server in the shape of Postgres' SSLRequest: it reads the client's first bytes,
 * answers `answer` in plaintext, then carries the connection to a TLS echo server (the test
 * CA's "localhost" certificate), so the client's TLS handshake is with that server. `then`,
 * when given, is sent in plaintext right after the answer (an injection).
 */
export async function startTlsServer(
  answer: string,
  then?: string,
): Promise<Server & { port: number }> {
  const secure = await echo({ tls: true });
  return serve(async (socket) => {
    const first = await socket[Symbol.asyncIterator]().next();
    if (first.done) return socket.close();
    socket.write(answer);
    if (then !== undefined) {
      // Its own segment, after the answer: a reader that stops at the answer leaves it unread.
      await socket.flush();
      await sleep(20);
      socket.write(then);
    }
    const upstream = await within(
      5_000,
      "connect to the TLS server",
      connect(`127.0.0.1:${secure.port}`),
    );
    await Promise.all([pipe(socket, upstream), pipe(upstream, socket)]);
  });
}

/** The arguments of `emitter`'s next `name` event, waiting at most `ms`. */
export function nextEvent(emitter: EventEmitter, name: string, ms = 5_000): Promise<unknown[]> {
  return within(
    ms,
    `the "${name}" event`,
    new Promise((resolve) => emitter.once(name, (...args: unknown[]) => resolve(args))),
  );
}

/** Everything a node stream reads until its `'end'`, as text. */
export async function readAll(stream: EventEmitter): Promise<string> {
  let received = "";
  stream.on("data", (chunk: Uint8Array) => (received += String(chunk)));
  await nextEvent(stream, "end");
  return received;
}

/** Record, in order, which of `names` `emitter` emits: `"close:true"` for close's `hadError`. */
export function record(emitter: EventEmitter, names: readonly string[]): string[] {
  const seen: string[] = [];
  for (const name of names) {
    emitter.on(name, (argument: unknown) =>
      seen.push(name === "close" ? `close:${String(argument)}` : name),
    );
  }
  return seen;
}
