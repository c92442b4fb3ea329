// STARTTLS for the shim: what drivers call in place of node:tls's `tls.connect({ socket })`
// (Postgres' SSLRequest, SMTP's STARTTLS), done by omnisock's own `socket.startTls()` over the
// runtime's native TLS, never by the runtime's node:tls wrapping a foreign stream.
import { Buffer } from "node:buffer";
import type { TlsClientOptions } from "@omnisock/core";
import { ipFamily, notSupported } from "@omnisock/core/driver";
import { runtime } from "../runtime.js";
import { invalidArgType } from "./errors.js";
import { engine, Socket, upgrade } from "./socket.js";

type Pem = string | Uint8Array;

/** node:tls's `tls.connect()` options that the upgrade honours. */
export interface StartTlsOptions {
  /** The connected plain socket to upgrade: a Socket from `omnisock/net`. */
  socket: Socket;
  /**
   * The name sent as SNI and verified in the server's certificate.
   * @default `host` when it is a name, else the name the socket connected to
   */
  servername?: string;
  /**
   * Used as `servername` when that is not given and it is a name, as node:tls does.
   * @default undefined
   */
  host?: string;
  /** Certificate authorities to trust, PEM. @default the runtime's root certificates */
  ca?: Pem | readonly Pem[];
  /**
   * A client certificate, PEM; needs `key`.
   *
   * **Note:** `ENOTSUP` where the runtime cannot send one (omnisock's
   * `capabilities.tlsClientCertificate`).
   * @default undefined (none)
   */
  cert?: Pem;
  /**
   * The client certificate's private key, PEM.
   * @default undefined (none)
   */
  key?: Pem;
  /**
   * ALPN protocols to offer: names, or node's wire format (length-prefixed) in one buffer.
   * @default undefined (no ALPN)
   */
  ALPNProtocols?: readonly (string | Uint8Array)[] | Uint8Array;
  /**
   * Verify the server's certificate and name.
   *
   * **Note:** `false` is `ENOTSUP` where the runtime cannot turn verification off (omnisock's
   * `capabilities.tlsNoVerify`; Deno).
   * @default true
   */
  rejectUnauthorized?: boolean;
}

/** Options read (or, for `port`, harmlessly meaningless with a `socket`); any other is ENOTSUP. */
const honoured = new Set([
  "socket",
  "servername",
  "host",
  "port",
  "ca",
  "cert",
  "key",
  "ALPNProtocols",
  "rejectUnauthorized",
]);

/**
 * The TLS socket `startTls()` returns: the shim's `Socket` with node:tls's `TLSSocket`
 * properties that drivers read. `'secureConnect'` is emitted once the handshake is over and
 * the server verified; a failure is `'error'` (`ETLS`) then `'close'`.
 *
 * What it does not do, unlike node:tls: `getPeerCertificate()`, `getSession()`,
 * `renegotiate()`, `exportKeyingMaterial()`, `setServername()`, `checkServerIdentity`,
 * `secureContext` and the other `tls.connect` options not listed in `StartTlsOptions` (they
 * are `ENOTSUP`). `authorized` is `true` once a verified handshake is over; with
 * `rejectUnauthorized: false` nothing is verified, so it is `false` and `authorizationError`
 * stays `undefined` (node:tls would still report the verdict).
 */
export class TLSSocket extends Socket {
  /** Always `true`, as node:tls sets it. */
  readonly encrypted = true;
  /** Whether the server's certificate was verified (set at `'secureConnect'`). */
  authorized = false;
  /** node:tls's reason the certificate was not verified; always `undefined` here (see the class). */
  authorizationError: string | undefined = undefined;
  readonly #verify: boolean;

  /** @internal Made by `startTls()`. */
  constructor(plain: Socket, verify: boolean) {
    super({ allowHalfOpen: plain.allowHalfOpen, highWaterMark: plain.writableHighWaterMark });
    this.#verify = verify;
    this.once("secureConnect", () => (this.authorized = this.#verify));
  }

  /** The protocol ALPN agreed on; `false` when none was, `null` before the handshake. */
  get alpnProtocol(): string | false | null {
    const tls = this[engine]?.tls;
    return tls === undefined ? null : (tls.alpnProtocol ?? false);
  }

  /** The name sent as SNI; `undefined` when none was (an IP literal is never sent). */
  get servername(): string | undefined {
    return this[engine]?.tls?.servername;
  }

  /**
   * The protocol version, such as `"TLSv1.3"`; `null` before the handshake.
   * **Note:** `null` where the runtime does not say (`capabilities.tlsSessionInfo`, Deno).
   */
  getProtocol(): string | null {
    return this[engine]?.tls?.protocol ?? null;
  }

  /**
   * The cipher suite: `name` and `standardName` are both its IANA name (node:tls gives
   * OpenSSL's for `name`), `version` the protocol; `null` before the handshake.
   * **Note:** `null` where the runtime does not say (`capabilities.tlsSessionInfo`, Deno).
   */
  getCipher(): {
    /** The cipher suite's IANA name, such as `"TLS_AES_256_GCM_SHA384"`. */
    name: string;
    /** The same IANA name. */
    standardName: string;
    /** The protocol version, such as `"TLSv1.3"`. */
    version: string;
  } | null {
    const tls = this[engine]?.tls;
    if (tls?.cipher === undefined) return null;
    return { name: tls.cipher, standardName: tls.cipher, version: tls.protocol ?? "unknown" };
  }
}

function pem(name: string, value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString("utf8");
  throw invalidArgType(name, "a string or Buffer", value);
}

/** ALPN names, from a list or node's wire format (each name prefixed by its length). */
function alpnNames(value: unknown): string[] {
  if (value instanceof Uint8Array) {
    const names: string[] = [];
    for (let at = 0; at < value.length; at += value[at]! + 1) {
      names.push(Buffer.from(value.subarray(at + 1, at + 1 + value[at]!)).toString("latin1"));
    }
    return names;
  }
  if (!Array.isArray(value)) {
    throw invalidArgType("options.ALPNProtocols", "an array or a Buffer", value);
  }
  return value.map((name, index) => pem(`options.ALPNProtocols[${index}]`, name));
}

/** node:tls's options as omnisock's `TlsClientOptions`; omnisock checks their values. */
function tlsOptions(options: Record<string, unknown>): TlsClientOptions {
  for (const key of Object.keys(options)) {
    if (!honoured.has(key) && options[key] !== undefined) {
      throw notSupported(`startTls option "${key}"`, runtime().runtime);
    }
  }
  const host =
    typeof options.host === "string" && !ipFamily(options.host) ? options.host : undefined;
  const servername = options.servername ?? host;
  const result: { -readonly [Key in keyof TlsClientOptions]: TlsClientOptions[Key] } = {};
  if (servername !== undefined) result.servername = servername as string;
  if (options.ca !== undefined) {
    result.ca = Array.isArray(options.ca)
      ? options.ca.map((entry, index) => pem(`options.ca[${index}]`, entry))
      : pem("options.ca", options.ca);
  }
  if (options.cert !== undefined) result.cert = pem("options.cert", options.cert);
  if (options.key !== undefined) result.key = pem("options.key", options.key);
  if (options.ALPNProtocols !== undefined) result.alpnProtocols = alpnNames(options.ALPNProtocols);
  if (options.rejectUnauthorized !== undefined) {
    result.rejectUnauthorized = options.rejectUnauthorized as boolean;
  }
  return result;
}

/**
 * Upgrade a connected `omnisock/net` Socket to TLS, in place of node:tls's
 * `tls.connect({ socket, servername, ca, cert, key, ALPNProtocols, rejectUnauthorized })`,
 * with omnisock's own `socket.startTls()`: the runtime's native TLS on every runtime, never
 * its node:tls. Returns the TLS socket at once; `listener` is added for `'secureConnect'`.
 * Use the returned socket from then on: the plain one reads and writes nothing more, and
 * closes when the TLS one does (and the other way round), as with node:tls.
 *
 * Call it once the server's answer has been read — from the `'data'` listener, or once a
 * promise resolved there, as node-postgres and postgres.js do: the plain socket stops reading
 * after the chunk it is handling, and nothing read after it goes to its `'data'` listeners.
 * Writes it holds go out first. The upgrade fails with `ETLS` (closing the connection) when
 * plaintext arrived after the server's answer and is unread — the CVE-2021-23222 class of
 * injection.
 *
 * **Note:** an upgrade before the server has sent anything fails with `ENOTSUP` where the
 * runtime cannot start TLS with a read pending (`capabilities.tlsUpgradeBeforeData`, Deno).
 *
 * **Note:** `ENOTSUP` where the runtime cannot upgrade (`capabilities.tlsUpgrade`).
 */
export function startTls(options: StartTlsOptions, listener?: () => void): TLSSocket {
  if (typeof options !== "object" || options === null) {
    throw invalidArgType("options", "an object", options);
  }
  const plain: unknown = options.socket;
  if (!(plain instanceof Socket)) {
    throw invalidArgType("options.socket", "a Socket from omnisock/net", plain);
  }
  if (listener !== undefined && typeof listener !== "function") {
    throw invalidArgType("listener", "of type function", listener);
  }
  const { capabilities, runtime: name } = runtime();
  if (!capabilities.tlsUpgrade) throw notSupported("startTls()", name);
  const settings = tlsOptions(options as unknown as Record<string, unknown>);
  const secure = new TLSSocket(plain, settings.rejectUnauthorized !== false);
  if (listener) secure.once("secureConnect", listener);
  plain[upgrade](secure, settings);
  return secure;
}
