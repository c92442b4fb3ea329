// @ts-check
// PostgreSQL's SSL negotiated by the socket hook rather than by the driver: the hook sends
// SSLRequest on its plain socket, takes nothing but the single byte "S" for an answer, upgrades
// with the socket module's `startTls` (omnisock/net's: omnisock's own TLS; node:net's: the
// runtime's node:tls), verifying as `sslmode=verify-full` does (the CA and the server's name),
// and hands the driver a socket that is already encrypted. The driver's own `ssl` stays off, so
// it never reaches for the runtime's node:tls.
//
// The answer must be the lone byte "S" (ssl-request.js); a byte that arrives in a later chunk,
// before the handshake, is refused by `startTls` itself (ETLS).
import { Duplex } from "node:stream";
import { sslAnswerRefusal, sslRequest } from "./ssl-request.js";

/**
 * What the hook needs of a socket module: connect, and upgrade a connected socket to TLS.
 * @typedef {object} TlsModule
 * @property {(options: { host: string, port: number }) => import("node:net").Socket} createConnection
 * @property {(options: import("node:tls").ConnectionOptions & { socket: import("node:net").Socket }) => import("node:net").Socket} startTls
 */

/**
 * How the server is verified: the CA, and the name its certificate must carry.
 * @typedef {{ ca: string | string[], servername: string }} VerifyFull
 */

/**
 * Connects to `host:port`, sends SSLRequest, and upgrades once the server agreed.
 * @param {TlsModule} net
 * @param {{ host: string, port: number }} target
 * @param {VerifyFull} tls
 * @returns {Promise<import("node:net").Socket>} The TLS socket, once the handshake is over and
 *   the server verified; a refusal or a failed handshake rejects, and closes the connection.
 */
export function connectWithSslRequest(net, target, tls) {
  const plain = net.createConnection(target);
  return new Promise((resolve, reject) => {
    const fail = (/** @type {Error} */ error) => {
      plain.destroy();
      reject(error);
    };
    const closed = () =>
      fail(new Error("the server closed the connection before answering SSLRequest"));
    plain.once("error", fail);
    plain.once("close", closed);
    plain.once("connect", () => plain.write(sslRequest));
    plain.once("data", (/** @type {Buffer} */ answer) => {
      const why = sslAnswerRefusal(answer);
      if (why !== undefined) return fail(new Error(why));
      plain.off("error", fail);
      plain.off("close", closed);
      // Upgraded from inside the 'data' listener, as node-postgres does: no further read of
      // the plain socket has started, so nothing more can be taken from it as plaintext.
      let secure;
      try {
        secure = net.startTls({ ...tls, socket: plain, rejectUnauthorized: true });
      } catch (error) {
        return fail(/** @type {Error} */ (error));
      }
      const failed = (/** @type {Error} */ error) => {
        secure.destroy();
        reject(error);
      };
      secure.once("error", failed);
      secure.once("secureConnect", () => {
        secure.off("error", failed);
        resolve(secure);
      });
    });
  });
}

/**
 * node-postgres's `stream` for SSL through the hook: pg wants a socket it connects itself
 * (`connect(port, host)`, then `'connect'`), so this Duplex runs `connectWithSslRequest` when
 * pg connects it, says `'connect'` once the TLS socket is verified, and from then on passes
 * every byte to and from that socket. pg's own `ssl` stays off: to pg it is a plain socket.
 */
export class SslRequestStream extends Duplex {
  /** @type {import("node:net").Socket | undefined} */
  #secure;
  /** @type {(() => void) | undefined} */
  #drained;
  /** @type {TlsModule} */
  #net;
  /** @type {VerifyFull} */
  #tls;

  /**
   * @param {TlsModule} net
   * @param {VerifyFull} tls
   */
  constructor(net, tls) {
    super({ allowHalfOpen: false });
    this.#net = net;
    this.#tls = tls;
  }

  /**
   * @param {number} port
   * @param {string} host
   */
  connect(port, host) {
    connectWithSslRequest(this.#net, { host, port }, this.#tls).then(
      (secure) => this.#attach(secure),
      (error) => this.destroy(error),
    );
    return this;
  }

  /** @param {import("node:net").Socket} secure */
  #attach(secure) {
    if (this.destroyed) {
      secure.destroy();
      return;
    }
    this.#secure = secure;
    secure.on("data", (chunk) => {
      if (!this.push(chunk)) secure.pause();
    });
    secure.on("end", () => this.push(null));
    secure.on("error", (error) => this.destroy(error));
    secure.on("close", () => this.destroy());
    secure.on("drain", () => {
      const drained = this.#drained;
      this.#drained = undefined;
      drained?.();
    });
    this.emit("connect");
  }

  /** @override */
  _read() {
    this.#secure?.resume();
  }

  /**
   * @override
   * @param {Buffer} chunk
   * @param {BufferEncoding} _encoding
   * @param {(error?: Error | null) => void} callback
   */
  _write(chunk, _encoding, callback) {
    const secure = this.#secure;
    if (secure === undefined) return callback(new Error("written before 'connect'"));
    if (secure.write(chunk)) callback();
    else this.#drained = () => callback();
  }

  /**
   * @override
   * @param {(error?: Error | null) => void} callback
   */
  _final(callback) {
    if (this.#secure === undefined) return callback();
    this.#secure.end(() => callback());
  }

  /**
   * @override
   * @param {Error | null} error
   * @param {(error?: Error | null) => void} callback
   */
  _destroy(error, callback) {
    this.#secure?.destroy();
    callback(error);
  }

  // What pg calls on its socket besides the stream's own methods.
  setNoDelay(noDelay = true) {
    this.#secure?.setNoDelay(noDelay);
    return this;
  }

  /** @param {boolean} [enable] @param {number} [delay] */
  setKeepAlive(enable, delay) {
    this.#secure?.setKeepAlive(enable, delay);
    return this;
  }

  ref() {
    this.#secure?.ref();
    return this;
  }

  unref() {
    this.#secure?.unref();
    return this;
  }
}
