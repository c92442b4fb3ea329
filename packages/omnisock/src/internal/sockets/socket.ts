// `omnisock/sockets`: the WinterTC Sockets API (https://sockets-api.proposal.wintercg.org/)
// as Cloudflare Workers document and ship it (`cloudflare:sockets`), over omnisock's Socket.
// Workers-first code that calls `connect()` runs unchanged on Node, Bun and Deno.
import type { ConnectOptions, Socket as OmnisockSocket, TlsClientOptions } from "@omnisock/core";
import { formatAddress, parseAddress } from "@omnisock/core";
import { runtime } from "../runtime.js";

/** `"host:port"` (`"[v6]:port"`), or the same as an object. */
export type AnySocketAddress = string | SocketAddress;

/** A TCP address as WinterTC writes it. */
export interface SocketAddress {
  /** A host name or an IP address. */
  hostname: string;
  /** The port: an integer from 0 to 65535 (omnisock's `connect` then refuses 0). */
  port: number;
}

/** `"off"`: plain TCP; `"on"`: TLS from the start; `"starttls"`: plaintext until `startTls()`. */
export type SecureTransport = "off" | "on" | "starttls";

/** What {@link connect} takes. */
export interface SocketOptions {
  /**
   * `"on"`: TLS from the start; `"starttls"`: plaintext until `startTls()`.
   * @default "off"
   */
  secureTransport?: SecureTransport;
  /**
   * Keep the writable side open after the peer's FIN; when `false` the socket closes once the
   * readable side has been read to its end.
   * @default false
   */
  allowHalfOpen?: boolean;
  /**
   * The TLS server name (SNI, and the name verified), as WinterTC names it. Only with
   * `secureTransport` `"on"` or `"starttls"`.
   * @default the hostname
   */
  sni?: string;
  /**
   * ALPN protocols to offer, as WinterTC names it. Only with `secureTransport` `"on"` or
   * `"starttls"`.
   * @default undefined (no ALPN)
   */
  alpn?: string[];
  /**
   * omnisock's extension: TLS options Workers take from their platform, such as a private
   * `ca`, a client certificate, or `rejectUnauthorized: false` for tests. Only with
   * `secureTransport` `"on"` or `"starttls"`; `sni` and `alpn` win over its `servername` and
   * `alpnProtocols`.
   * @default the runtime's root certificates, the server verified
   */
  tls?: TlsClientOptions;
}

/** What `opened` resolves with. */
export interface SocketInfo {
  /** The address as it was given to `connect()`, `"host:port"`, as Cloudflare reports it. */
  remoteAddress: string;
  /** The local end, `"ip:port"` (Cloudflare leaves it out). */
  localAddress: string;
  /** The protocol ALPN agreed on, or `null`. */
  alpn: string | null;
}

/** What `socket.startTls()` takes. */
export interface StartTlsOptions {
  /**
   * The name to verify, and send as SNI, instead of the one `connect()` had, as Cloudflare
   * names it.
   * @default `sni`, else the connect hostname
   */
  expectedServerHostname?: string;
}

/** The options once checked, with their defaults. */
type Settings = SocketOptions & { secureTransport: SecureTransport; allowHalfOpen: boolean };

function sync(reason: string): TypeError {
  return new TypeError(reason);
}

const noop = () => {};

/**
 * A TCP connection as WinterTC defines it: `readable` and `writable` streams usable at once,
 * `opened` (resolves with the addresses once connected, and for TLS once the handshake is
 * over), `closed`, `close()` and `startTls()`. Errors are omnisock's `SocketError`.
 */
export class Socket {
  readonly #options: Settings;
  readonly #remote: string;
  readonly #connected: Promise<OmnisockSocket>;
  readonly #opened: Promise<SocketInfo>;
  readonly #closed: Promise<void>;
  #resolveClosed!: () => void;
  #rejectClosed!: (error: unknown) => void;
  #core: OmnisockSocket | undefined;
  #readable: ReadableStream<Uint8Array>;
  #readController!: ReadableStreamDefaultController<Uint8Array>;
  /** omnisock's own reader, behind `readable`: cancelling it gives a waiting read up. */
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #writable: WritableStream<Uint8Array>;
  #writeController!: WritableStreamDefaultController;
  /** Chunks written to `writable` and not yet handed to omnisock: `startTls()` waits for none. */
  #unwritten = 0;
  #written: { promise: Promise<void>; resolve(): void } | undefined;
  #closing = false;
  #upgraded = false;
  #tlsStarted = false;

  /** @internal Sockets come from `connect()` and `startTls()`. */
  constructor(remote: string, options: Settings, connected: Promise<OmnisockSocket>) {
    this.#remote = remote;
    this.#options = options;
    this.#connected = connected;
    this.#closed = new Promise((resolve, reject) => {
      this.#resolveClosed = resolve;
      this.#rejectClosed = reject;
    });
    // Nobody is obliged to look at either promise: neither may be an unhandled rejection.
    this.#closed.catch(noop);
    this.#opened = connected.then((core) => {
      this.#core = core;
      core.closed.then(
        () => this.#resolveClosed(),
        (error: unknown) => this.#fail(error),
      );
      return {
        remoteAddress: remote,
        localAddress: formatAddress(core.localAddress),
        alpn: core.tls?.alpnProtocol ?? null,
      };
    });
    this.#opened.catch((error: unknown) => this.#fail(error));
    this.#readable = this.#makeReadable();
    this.#writable = this.#makeWritable();
  }

  /**
   * The bytes the peer sends, usable at once (reads wait for the connection). Cancelling it
   * leaves the connection open, as WinterTC says.
   */
  get readable(): ReadableStream<Uint8Array> {
    return this.#readable;
  }

  /** Takes `Uint8Array`s (or other `ArrayBufferView`s); a string is a TypeError, as on Workers. */
  get writable(): WritableStream<Uint8Array> {
    return this.#writable;
  }

  /**
   * Resolves once connected (for TLS, once the handshake is over) with the addresses and the
   * ALPN protocol; rejects with the `SocketError` of a failure to connect.
   */
  get opened(): Promise<SocketInfo> {
    return this.#opened;
  }

  /**
   * Resolves when the socket is closed: by `close()`, by `startTls()` (this plain socket), or,
   * without `allowHalfOpen`, once the readable side is read to the peer's FIN. Rejects with
   * the error that ended it.
   */
  get closed(): Promise<void> {
    return this.#closed;
  }

  /** Whether `startTls()` has taken this socket's connection. */
  get upgraded(): boolean {
    return this.#upgraded;
  }

  /** As given to `connect()`; `"on"` for the socket `startTls()` returns. */
  get secureTransport(): SecureTransport {
    return this.#options.secureTransport;
  }

  #makeReadable(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#readController = controller;
        },
        pull: async (controller) => {
          const core = await this.#connected;
          this.#reader ??= core.readable.getReader();
          const result = await this.#reader.read();
          if (this.#upgraded) return;
          if (result.done) controller.close();
          else controller.enqueue(result.value);
        },
        // Cancelling the readable side leaves the connection open, as WinterTC says.
        cancel: () => this.#reader?.cancel(),
      },
      // No read-ahead: a read of omnisock's is in flight only while the user waits for one.
      { highWaterMark: 0 },
    );
  }

  #makeWritable(): WritableStream<Uint8Array> {
    return new WritableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#writeController = controller;
        },
        write: async (chunk) => {
          try {
            if (!ArrayBuffer.isView(chunk)) {
              throw new TypeError(
                "The writable side of a socket takes Uint8Array chunks (or other ArrayBufferViews)",
              );
            }
            const core = await this.#connected;
            const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
            if (!core.write(bytes)) await core.flush();
          } finally {
            if (--this.#unwritten === 0) {
              this.#written?.resolve();
              this.#written = undefined;
            }
          }
        },
        close: async () => {
          const core = await this.#connected;
          await core.end();
        },
        abort: async () => {
          await this.close();
        },
      },
      {
        // Counted as they are written, so that startTls() can wait for all of them.
        size: () => {
          this.#unwritten++;
          return 1;
        },
      },
    );
  }

  /** Resolves once everything written to `writable` so far is in omnisock's hands. */
  #allWritten(): Promise<void> {
    if (this.#unwritten === 0) return Promise.resolve();
    if (this.#written === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((settle) => (resolve = settle));
      this.#written = { promise, resolve };
    }
    return this.#written.promise;
  }

  /** The connection failed or broke: both promises reject, both streams error. */
  #fail(error: unknown): void {
    this.#rejectClosed(error);
    try {
      this.#readController.error(error);
    } catch {
      // Already closed.
    }
    this.#writeController.error(error);
  }

  /**
   * Close the connection, sending what was written first; both streams are closed. Waits for
   * the connection if it is still opening. Returns `closed`.
   */
  close(): Promise<void> {
    if (!this.#closing) {
      this.#closing = true;
      void this.#shutDown();
    }
    return this.#closed;
  }

  /** `close()`'s work; it never rejects: `closed` carries a failure. */
  async #shutDown(): Promise<void> {
    try {
      await this.#opened;
      await this.#allWritten();
      this.#reader?.cancel().catch(noop);
      await this.#core!.close();
      this.#resolveClosed();
    } catch {
      // The connection failed: `closed` has been rejected with the reason.
    } finally {
      try {
        this.#readController.close();
      } catch {
        // Already closed or errored.
      }
      this.#writeController.error(new TypeError("The socket is closed"));
    }
  }

  /**
   * Upgrade to TLS and return the new socket; this one closes (`closed` resolves, `upgraded`
   * is true) and its streams end, while the connection lives on in the new one. What was
   * written before goes out first. Only for `secureTransport: "starttls"`, and only once.
   * **Note:** see omnisock's `capabilities.tlsUpgrade`; the new socket's `opened` rejects with
   * `ENOTSUP` where the runtime cannot upgrade.
   */
  startTls(options: StartTlsOptions = {}): Socket {
    const { secureTransport } = this.#options;
    if (secureTransport === "on") throw sync("Cannot startTls on a TLS socket.");
    if (this.#tlsStarted) throw sync("startTls can only be called once.");
    if (secureTransport !== "starttls") {
      throw sync(
        "The `secureTransport` socket option must be set to 'starttls' for startTls to be used.",
      );
    }
    const expected = options.expectedServerHostname;
    if (expected !== undefined && typeof expected !== "string") {
      throw new TypeError(
        `The "options.expectedServerHostname" argument must be a string. Received ${typeof expected}`,
      );
    }
    this.#tlsStarted = true;
    const tls = tlsSettings(this.#options);
    if (expected !== undefined) tls.servername = expected;
    const secure = this.#connected.then(async (core) => {
      await this.#allWritten();
      // A read waiting for plaintext is given up: the server sends nothing more until TLS.
      await this.#reader?.cancel();
      this.#upgraded = true;
      try {
        this.#readController.close();
      } catch {
        // Already closed.
      }
      this.#writeController.error(new TypeError("The socket was upgraded: use the new one"));
      const upgrading = core.startTls(tls);
      this.#resolveClosed();
      return upgrading;
    });
    return new Socket(this.#remote, { ...this.#options, secureTransport: "on" }, secure);
  }
}

/** The TLS options for `secureTransport` "on" or "starttls". */
function tlsSettings(options: SocketOptions): {
  -readonly [Key in keyof TlsClientOptions]: TlsClientOptions[Key];
} {
  const tls: { -readonly [Key in keyof TlsClientOptions]: TlsClientOptions[Key] } = {
    ...options.tls,
  };
  if (options.sni !== undefined) tls.servername = options.sni;
  if (options.alpn !== undefined) tls.alpnProtocols = options.alpn;
  return tls;
}

function checkOptions(options: unknown): Settings {
  if (options === undefined) return { secureTransport: "off", allowHalfOpen: false };
  if (typeof options !== "object" || options === null) {
    throw new TypeError('The "options" argument must be an object');
  }
  const raw = options as SocketOptions;
  const secureTransport = raw.secureTransport ?? "off";
  if (secureTransport !== "off" && secureTransport !== "on" && secureTransport !== "starttls") {
    throw new TypeError(
      `Unsupported value in secureTransport socket option: ${String(secureTransport)}`,
    );
  }
  const allowHalfOpen = raw.allowHalfOpen ?? false;
  if (typeof allowHalfOpen !== "boolean") {
    throw new TypeError('The "options.allowHalfOpen" option must be a boolean');
  }
  if (secureTransport === "off") {
    for (const key of ["sni", "alpn", "tls"] as const) {
      if (raw[key] !== undefined) {
        throw new TypeError(`The "options.${key}" option needs secureTransport "on" or "starttls"`);
      }
    }
  }
  return { ...raw, secureTransport, allowHalfOpen };
}

/**
 * Open a TCP connection, as WinterTC's (and `cloudflare:sockets`') `connect()`. Returns the
 * socket at once; `opened` tells when it is connected. A malformed address or option is a
 * TypeError (RangeError for the port) thrown here; a failure to connect rejects `opened` and
 * `closed`.
 */
export function connect(address: AnySocketAddress, options?: SocketOptions): Socket {
  let hostname: string;
  let port: number;
  if (typeof address === "string") {
    const parsed = parseAddress(address);
    if (parsed.transport !== "tcp" || parsed.hostname === "") {
      throw new TypeError(`Specified address is not "host:port": ${JSON.stringify(address)}`);
    }
    ({ hostname, port } = parsed);
  } else if (typeof address === "object" && address !== null) {
    ({ hostname, port } = address);
    if (typeof hostname !== "string" || hostname === "") {
      throw new TypeError("The address's hostname must be a non-empty string");
    }
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new RangeError(
        `The address's port must be an integer from 0 to 65535. Received ${port}`,
      );
    }
  } else {
    throw new TypeError('The address must be a "host:port" string or { hostname, port }');
  }
  const settings = checkOptions(options);
  const remote = formatAddress({ transport: "tcp", hostname, port });
  const connectOptions: ConnectOptions = { allowHalfOpen: settings.allowHalfOpen };
  if (settings.secureTransport === "on") connectOptions.tls = tlsSettings(settings);
  const connected = runtime().connect({ hostname, port }, connectOptions);
  return new Socket(remote, settings, connected);
}
