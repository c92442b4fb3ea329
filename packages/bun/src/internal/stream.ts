// TCP and Unix streams over Bun.connect and Bun.listen: https://bun.com/docs/api/tcp
//
// What Bun cannot do (each is a `capabilities` flag):
// - set SO_SNDBUF / SO_RCVBUF on a stream socket (`streamBufferSize`);
// - choose the listen backlog: Bun.listen always asks for 512 (`backlog`, `unixBacklog`);
// - share a listener with cluster workers (`exclusive`).
// It also cannot stop accepting while listening, so `ServerHandle` has no pause/resume and
// core holds new connections instead; and a listener reports no accept errors.
//
// Bun's `write` takes what the kernel takes now and keeps none of the rest (bun#16076). The
// count goes back to core, which keeps the remainder and writes it on `drain`; so nothing is
// ever held here and `busy` is always false.
import {
  acceptedLocal,
  connectedPeer,
  inetAddress,
  kernelPath,
  sinkClose,
  sinkData,
  sinkDrain,
  sinkEnd,
  SocketError,
} from "@omnisock/core/driver";
import type {
  NormalizedConnectOptions,
  NormalizedListenOptions,
  NormalizedStreamOptions,
  NormalizedTlsClientOptions,
  NormalizedTlsServerOptions,
  ServerHandle,
  ServerSink,
  SocketAddress,
  StreamHandle,
  StreamSink,
  TlsInfo,
  UnixAddress,
} from "@omnisock/core/driver";
import { type BunSocket, type BunTlsOptions, type SocketHandler, bun } from "./bun.js";
import { toSocketError } from "./error.js";
import { bunTlsClient, bunTlsServer } from "./tls.js";

/** The unnamed side of a Unix connection (a client that did not bind) has an empty path. */
const unnamed: UnixAddress = Object.freeze({ transport: "unix", path: "" });

/** The bits of `BunStream#flags`: yes/no state every stream has, packed into one field. */
const Flag = {
  /** Reading is off: before start(), or paused by core. */
  Paused: 1,
  Closed: 2,
  /** The last write was short: the peer has not taken it all yet (cleared on `drain`). */
  Full: 4,
  /**
   * STARTTLS handed the connection to a TLS handle. Bun keeps calling this one's handlers until
   * the close, `data` with the connection's ciphertext included (bun#26297): it is dropped.
   * https://github.com/oven-sh/bun/issues/26297
   */
  Upgraded: 8,
  /** Accepted: it names the servername the client asked for (a client, its own). */
  Server: 16,
  NoDelay: 32,
  /**
   * Bun's socket is paused (`Paused` is what core asked). Each pause and resume of it is a
   * system call (epoll_ctl), so it is paused only when something could be read too early, and
   * resumed only when it was paused: not twice on every connection.
   */
  SocketPaused: 64,
} as const;
type Flag = (typeof Flag)[keyof typeof Flag];

type Settings = Pick<NormalizedStreamOptions, "noDelay" | "keepAliveDelay">;

/** A TLS stream waiting for its handshake: settled by `handshake`, or by a close before it. */
interface Handshake {
  verify: boolean;
  servername: string | undefined;
  resolve(): void;
  reject(error: SocketError): void;
}

class BunStream implements StreamHandle {
  localAddress!: SocketAddress;
  remoteAddress!: SocketAddress;
  #socket!: BunSocket<BunStream>;
  /**
   * The two settings the stream applies itself, kept rather than the options object: a client's
   * is its own connect options, which an idle connection would otherwise hold whole.
   */
  readonly #keepAliveDelay: number | undefined;
  #sink: StreamSink | undefined;
  /**
   * Read before start() or while paused, in order; `null` is the peer's FIN. Made when the
   * first such chunk comes: an idle connection holds no array for it.
   */
  #pending: (Uint8Array | null)[] | undefined;
  /** One field for every yes/no: a field is 8 bytes on each of 10,000 idle connections. */
  #flags: number = Flag.Paused;
  /**
   * What only a failed, a TLS or a Unix stream has, in an object made when first needed, so
   * that a plain idle connection carries one empty field for them.
   */
  #rare:
    | {
        error?: SocketError;
        handshake?: Handshake | undefined;
        /** What TLS agreed on, once its handshake is over. */
        tls?: TlsInfo;
        unix?: readonly [local: UnixAddress, remote: UnixAddress];
      }
    | undefined;

  #has(flag: Flag): boolean {
    return (this.#flags & flag) !== 0;
  }

  #set(flag: Flag, on: boolean): void {
    this.#flags = on ? this.#flags | flag : this.#flags & ~flag;
  }

  get #error(): SocketError | undefined {
    return this.#rare?.error;
  }

  /** Keeps the first error: the one that ended the connection. */
  #failed(error: SocketError): void {
    (this.#rare ??= {}).error ??= error;
  }

  get #handshake(): Handshake | undefined {
    return this.#rare?.handshake;
  }

  get #unix(): readonly [UnixAddress, UnixAddress] | undefined {
    return this.#rare?.unix;
  }

  /** What TLS agreed on, once its handshake is over; `undefined` on a plain stream. */
  get tls(): TlsInfo | undefined {
    return this.#rare?.tls;
  }

  // Constants, on the prototype rather than in each connection's fields.
  /** Bun holds nothing back (see above): never busy. */
  get busy(): boolean {
    return false;
  }
  /** Bun copies what it takes into the kernel at once. */
  get keepsNothing(): boolean {
    return true;
  }

  constructor(options: Settings, unix?: readonly [UnixAddress, UnixAddress]) {
    this.#keepAliveDelay = options.keepAliveDelay;
    this.#set(Flag.NoDelay, options.noDelay);
    if (unix) this.#rare = { unix };
  }

  get #settings(): Settings {
    return { noDelay: this.#has(Flag.NoDelay), keepAliveDelay: this.#keepAliveDelay };
  }

  /**
   * Settles once the TLS handshake is over: rejects with ETLS when `verify` and the peer's
   * certificate failed, or with the error that closed the connection first. `servername`:
   * the name this side asked for (a server reads it from the handshake).
   */
  secured(verify: boolean, servername: string | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      (this.#rare ??= {}).handshake = { verify, servername, resolve, reject };
    });
  }

  #onHandshake(socket: BunSocket<BunStream>, success: boolean, why: Error | null): void {
    const waiting = this.#handshake;
    if (!waiting) return;
    this.#rare!.handshake = undefined;
    // `success` alone cannot be trusted: a server that asked for a certificate hears
    // success with a self-signed one; `authorized` is the verdict.
    if (waiting.verify && (!success || socket.authorized === false)) {
      const error = toSocketError(
        why ?? socket.getAuthorizationError?.() ?? new Error("TLS verification failed"),
        {
          syscall: "handshake",
          address: this.remoteAddress,
        },
      );
      this.#failed(error);
      waiting.reject(error);
      if (!this.#has(Flag.Closed)) socket.end();
      return;
    }
    const cipher = socket.getCipher?.();
    this.#rare!.tls = Object.freeze({
      protocol: socket.getTLSVersion?.() ?? undefined,
      cipher: cipher?.standardName ?? undefined,
      alpnProtocol: socket.alpnProtocol || undefined,
      servername:
        waiting.servername ??
        (this.#has(Flag.Server) ? socket.getServername?.() || undefined : undefined),
    });
    // Reading was left on for the handshake: now nothing more is read before start().
    if (this.#has(Flag.Paused)) this.#pauseSocket();
    waiting.resolve();
  }

  /**
   * Bun declares handlers once per listener or kind of connection; `socket.data` holds the
   * handle each event is routed to. Chunks come as plain Uint8Arrays, each with its own
   * buffer: Bun does not reuse them.
   */
  static readonly handlers: SocketHandler<BunStream> = {
    binaryType: "uint8array",
    open: (socket) => socket.data.#attach(socket),
    data: (socket, chunk) => socket.data.#receive(chunk),
    end: (socket) => {
      // After a failed write, Bun's 'end' is not the peer's FIN.
      if (!socket.data.#error) socket.data.#receive(null);
    },
    drain: (socket) => {
      socket.data.#set(Flag.Full, false);
      socket.data.#sink?.[sinkDrain]();
    },
    error: (socket, error) => {
      const stream = socket.data;
      stream.#failed(toSocketError(error, { syscall: "read", address: stream.remoteAddress }));
    },
    close: (socket, error) => socket.data.#onClose(error),
    handshake: (socket, success, why) => socket.data.#onHandshake(socket, success, why),
  };

  /** Handlers for one listener: each accepted connection becomes a handle for `accept`. */
  static listenerHandlers(
    options: NormalizedListenOptions,
    listening: () => SocketAddress,
    accept: (stream: BunStream) => void,
    rejected: (error: SocketError) => void,
  ): SocketHandler<BunStream> {
    return {
      ...BunStream.handlers,
      open: (socket) => {
        // A Unix peer has no port; that also tells apart a Unix listener inherited by fd.
        // Bun asks the kernel (getpeername) at each read of remotePort: it is read once.
        const local = listening();
        const port = socket.remotePort;
        const unix =
          port === undefined
            ? ([local.transport === "unix" ? local : unnamed, unnamed] as const)
            : undefined;
        const stream = new BunStream(options, unix);
        stream.#flags |= Flag.Server;
        if (!unix) {
          // The listener's own address where it is not a wildcard: no copy per connection.
          stream.localAddress = acceptedLocal(local) ?? stream.localAddress;
          stream.remoteAddress = inetAddress("tcp", socket.remoteAddress, port);
        }
        if (!options.tls) {
          stream.#attach(socket);
          accept(stream);
          // Core starts a connection as it takes it, so nothing is read before start() without a
          // pause. One it holds (a paused server) or refuses reads nothing meanwhile.
          if (stream.#sink === undefined) stream.#pauseSocket();
          return;
        }
        // A TLS connection is handed out once its handshake is over (and, with requestCert,
        // the client's certificate verified); one that fails is the client's fault.
        const secured = stream.secured(options.tls.requestCert, undefined);
        stream.#attach(socket);
        secured.then(
          () => accept(stream),
          (error: SocketError) => rejected(error),
        );
      },
    };
  }

  /** The connection is up. Every default is set here; an accepted one reads nothing before start(). */
  #attach(socket: BunSocket<BunStream>): void {
    this.#socket = socket;
    socket.data = this;
    // Not paused: an accepted stream is paused after it is handed out, if core did not start it
    // (listenerHandlers), a TLS one once its handshake is over. A client's start() follows as
    // connect() resolves: what it reads meanwhile waits in `#pending`.
    if (this.#unix) {
      [this.localAddress, this.remoteAddress] = this.#unix;
      return;
    }
    this.localAddress ??= inetAddress("tcp", socket.localAddress, socket.localPort);
    this.remoteAddress ??= inetAddress("tcp", socket.remoteAddress, socket.remotePort);
    // Bun turns TCP_NODELAY on by itself; set either way, so that Bun's choice cannot leak.
    socket.setNoDelay(this.#has(Flag.NoDelay));
    const delay = this.#keepAliveDelay;
    if (delay !== undefined) this.setKeepAlive(true, delay);
  }

  #receive(chunk: Uint8Array | null): void {
    if (this.#has(Flag.Upgraded)) return;
    const sink = this.#sink;
    if (!sink || this.#has(Flag.Paused)) (this.#pending ??= []).push(chunk);
    else if (chunk) sink[sinkData](chunk);
    else sink[sinkEnd]();
  }

  #onClose(native: Error | undefined): void {
    if (this.#has(Flag.Closed)) return;
    this.#flags |= Flag.Closed;
    // Bun passes the error that ended the connection (ECONNRESET, …) to `close`, not `error`.
    if (native)
      this.#failed(toSocketError(native, { syscall: "read", address: this.remoteAddress }));
    const waiting = this.#handshake;
    if (waiting) {
      this.#rare!.handshake = undefined;
      waiting.reject(
        this.#error ??
          new SocketError("ECONNRESET", "the peer closed the connection during the TLS handshake", {
            syscall: "handshake",
            address: this.remoteAddress,
          }),
      );
    }
    this.#deliver();
  }

  /** Hand what is pending to the sink; once closed, all of it (core keeps it readable), then the close. */
  #deliver(): void {
    // The sink is read afresh each time: it may close this handle from inside a callback.
    const pending = this.#pending;
    while (
      pending &&
      pending.length > 0 &&
      this.#sink &&
      (!this.#has(Flag.Paused) || this.#has(Flag.Closed))
    ) {
      const chunk = pending.shift();
      if (chunk) this.#sink[sinkData](chunk);
      else this.#sink[sinkEnd]();
    }
    const sink = this.#sink;
    if (sink && this.#has(Flag.Closed)) {
      this.#sink = undefined; // close is the last event, exactly once
      sink[sinkClose](this.#error);
    }
  }

  start(sink: StreamSink): void {
    this.#sink = sink;
    this.resume();
  }

  write(data: Uint8Array): number {
    const written = this.#socket.write(data);
    this.#set(Flag.Full, written < data.length);
    if (written >= 0 || this.#has(Flag.Closed)) return Math.max(written, 0);
    // -1 on an open socket: the write failed, the peer has reset. Bun keeps the errno to
    // itself, then reports an 'end' and a close without an error — or, on a paused socket,
    // nothing at all. So the cause is kept here and the socket closed, once core's write is
    // over (Bun's close handler runs inside terminate()).
    const cause = Object.assign(new Error("Bun's socket.write returned -1"), {
      code: "ECONNRESET",
    });
    this.#failed(toSocketError(cause, { syscall: "write", address: this.remoteAddress }));
    queueMicrotask(() => {
      if (!this.#has(Flag.Closed)) this.#socket.terminate();
    });
    return 0;
  }

  startTls(options: NormalizedTlsClientOptions): Promise<StreamHandle> {
    const next = new BunStream(this.#settings);
    const secured = next.secured(options.rejectUnauthorized, options.servername);
    return this.#upgrade(next, bunTlsClient(options), secured);
  }

  startTlsServer(options: NormalizedTlsServerOptions): Promise<StreamHandle> {
    const next = new BunStream(this.#settings);
    next.#flags |= Flag.Server;
    const secured = next.secured(options.requestCert, undefined);
    return this.#upgrade(next, bunTlsServer(options), secured);
  }

  /** Either side of a STARTTLS: Bun's TLS on this connection, handled by `next`. */
  #upgrade(next: BunStream, tls: BunTlsOptions, secured: Promise<void>): Promise<StreamHandle> {
    // This handle lets go: the raw socket's remaining events reach no sink. It is read again,
    // so that Bun's TLS layer on top of it gets the peer's handshake.
    this.#sink = undefined;
    this.#flags |= Flag.Upgraded;
    this.#socket.resume();
    this.#set(Flag.SocketPaused, false);
    const [, secure] = this.#socket.upgradeTLS({ data: next, tls, socket: BunStream.handlers });
    if (next.#socket === undefined) next.#attach(secure);
    // The raw socket is detached now (readyState -1, its end() does nothing): closing this
    // handle during the handshake (a timeout, an abort) must end the TLS one.
    this.#socket = secure;
    return secured.then(() => next);
  }

  pause(): void {
    this.#flags |= Flag.Paused;
    this.#pauseSocket();
  }

  resume(): void {
    this.#set(Flag.Paused, false);
    this.#deliver();
    if (this.#has(Flag.SocketPaused) && !this.#has(Flag.Paused) && !this.#has(Flag.Closed)) {
      this.#set(Flag.SocketPaused, false);
      this.#socket.resume();
    }
  }

  #pauseSocket(): void {
    if (this.#has(Flag.SocketPaused) || this.#has(Flag.Closed)) return;
    this.#flags |= Flag.SocketPaused;
    this.#socket.pause();
  }

  shutdown(): void {
    if (!this.#has(Flag.Closed)) this.#socket.shutdown();
  }

  close(): void {
    // Core flushes before it closes, and Bun holds nothing back: no byte is lost here.
    if (this.#has(Flag.Closed)) return;
    // A TLS socket's end() waits until its close_notify is written, and from then on Bun
    // closes it no other way (terminate() and close() do nothing: the connection stays
    // ESTABLISHED). So where the peer is not taking what was written (an idle timeout or an
    // abort closes a socket core could not flush), it is terminated: no close_notify could
    // reach that peer anyway.
    if (this.tls && this.#has(Flag.Full)) this.#socket.terminate();
    else this.#socket.end();
  }

  reset(): void {
    // SO_LINGER 0, then close: an RST on TCP; a Unix socket has none and just closes.
    if (!this.#has(Flag.Closed)) this.#socket.terminate();
  }

  setNoDelay(enable: boolean): void {
    // Remembered for a STARTTLS, whose new handle sets it again (see #attach).
    this.#set(Flag.NoDelay, enable);
    if (!this.#has(Flag.Closed) && !this.#unix) this.#socket.setNoDelay(enable);
  }

  setKeepAlive(enable: boolean, delayMs: number | undefined): void {
    if (this.#has(Flag.Closed) || this.#unix) return;
    // Bun floors the delay to whole seconds and leaves the system's (two hours) under one
    // second; so one second is the least. `undefined` (0) keeps the system's delay.
    this.#socket.setKeepAlive(enable, delayMs === undefined ? 0 : Math.max(delayMs, 1000));
  }

  ref(): void {
    this.#socket.ref();
  }

  unref(): void {
    this.#socket.unref();
  }
}

export function connect(
  options: NormalizedConnectOptions,
  signal: AbortSignal | undefined,
): Promise<StreamHandle> {
  const { target } = options;
  if (target.transport === "unix") {
    return open(
      { unix: kernelPath(target) },
      new BunStream(options, [unnamed, target]),
      options,
      signal,
    );
  }
  // An IP literal: core resolved the name and races the addresses itself.
  const where = {
    hostname: target.hostname,
    port: target.port,
    localAddress: options.localAddress,
  };
  const stream = new BunStream(options);
  // Known from the target, where it tells it as the kernel would: no copy of Bun's answer.
  const peer = connectedPeer(target);
  if (peer) stream.remoteAddress = peer;
  return open(
    options.tls ? { ...where, tls: bunTlsClient(options.tls) } : where,
    stream,
    options,
    signal,
  );
}

function open(
  where:
    | { unix: string }
    | { hostname: string; port: number; localAddress: string | undefined; tls?: BunTlsOptions },
  stream: BunStream,
  { target, tls }: NormalizedConnectOptions,
  signal: AbortSignal | undefined,
): Promise<BunStream> {
  return new Promise((resolve, reject) => {
    const fail = (error: unknown): void => {
      signal?.removeEventListener("abort", onAbort);
      // The target as an address only now: a connection that comes up needs none.
      const address =
        target.transport === "unix" ? target : inetAddress("tcp", target.hostname, target.port);
      reject(toSocketError(error, { syscall: "connect", address }));
    };
    // Bun.connect cannot be cancelled: give up now, and close the connection if it comes.
    const onAbort = (): void => fail(signal?.reason);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    const settle = (): void => {
      signal?.removeEventListener("abort", onAbort);
      if (signal?.aborted) stream.close();
      else resolve(stream);
    };
    // A TLS stream is up once its handshake is over and the server verified.
    const secured = tls ? stream.secured(tls.rejectUnauthorized, tls.servername) : undefined;
    secured?.catch(() => {}); // reported through `fail`, below
    try {
      // allowHalfOpen always: core decides what the peer's FIN means.
      const connected = bun.connect({
        ...where,
        allowHalfOpen: true,
        data: stream,
        socket: BunStream.handlers,
      });
      (secured ? connected.then(() => secured) : connected).then(settle, fail);
    } catch (error) {
      fail(error);
    }
  });
}

export async function listen(
  options: NormalizedListenOptions,
  sink: ServerSink,
): Promise<ServerHandle> {
  const { inet, unix, fd } = options;
  let address: SocketAddress = unix ?? unnamed;
  const common = {
    allowHalfOpen: true,
    socket: BunStream.listenerHandlers(
      options,
      () => address,
      (stream) => sink.connection(stream),
      (error) => sink.rejected(error),
    ),
    ...(options.tls ? { tls: bunTlsServer(options.tls) } : {}),
  };
  let listener;
  try {
    listener = unix
      ? bun.listen({ ...common, unix: kernelPath(unix) })
      : inet
        ? bun.listen({
            ...common,
            // "" means every IPv4 interface.
            hostname: inet.hostname === "" ? "0.0.0.0" : inet.hostname,
            port: inet.port,
            reusePort: options.reusePort,
            ipv6Only: options.ipv6Only,
          })
        : bun.listen({ ...common, fd: fd ?? -1 });
  } catch (error) {
    const given = inet ? ({ transport: "tcp", ...inet } as const) : unix;
    throw toSocketError(error, { syscall: "listen", address: given, name: `fd ${fd}` });
  }
  // The bound address, also for port 0 and an inherited fd. A Unix listener inherited by fd
  // has no name Bun can read: it stays unnamed.
  const bound: { address?: string; port?: number } = {};
  if (!unix) listener.getsockname(bound);
  if (bound.address !== undefined) address = inetAddress("tcp", bound.address, bound.port);
  return {
    address,
    close() {
      // stop(false) closes the listening socket now and leaves accepted connections to core.
      listener.stop(false);
      return Promise.resolve();
    },
    ref: () => listener.ref(),
    unref: () => listener.unref(),
  };
}
