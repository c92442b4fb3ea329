// @ts-check
// A small PostgreSQL client written only against WinterTC's `connect()` (omnisock/sockets), as
// Workers-first code is: startup, SCRAM-SHA-256 (or a cleartext password, or none), the simple
// query protocol, and SSL by SSLRequest then `secureTransport: "starttls"`. Web APIs only: no
// node:*, no Buffer; crypto.subtle for SCRAM. Values come back as text, as the server sends them.
// Not a driver: no extended protocol, no COPY, no pipelining, no cancel.
import { connect } from "omnisock/sockets";
import { sslAnswerRefusal, sslRequest } from "../ssl-request.js";
import { base64, ByteReader, concat, fromBase64, text, utf8 } from "./bytes.js";

/** A frontend message: its type byte (none for startup and SSLRequest), length, body. */
function message(/** @type {string} */ type, /** @type {Uint8Array[]} */ ...parts) {
  const body = concat(parts);
  const head = new Uint8Array(type ? 5 : 4);
  const view = new DataView(head.buffer);
  if (type) head[0] = type.charCodeAt(0);
  view.setInt32(type ? 1 : 0, body.byteLength + 4);
  return concat([head, body]);
}

const int32 = (/** @type {number} */ value) => {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setInt32(0, value);
  return bytes;
};
const cstring = (/** @type {string} */ value) => utf8(`${value}\0`);

/** An ErrorResponse's fields as an Error with the SQLSTATE as `code`. */
function serverError(/** @type {Uint8Array} */ body) {
  /** @type {Record<string, string>} */
  const fields = {};
  let at = 0;
  while (at < body.byteLength && body[at] !== 0) {
    const end = body.indexOf(0, at + 1);
    fields[String.fromCharCode(/** @type {number} */ (body[at]))] = text(
      body.subarray(at + 1, end),
    );
    at = end + 1;
  }
  return Object.assign(new Error(fields.M ?? "server error"), {
    code: fields.C,
    severity: fields.S,
  });
}

/** One backend message. */
async function readMessage(/** @type {ByteReader} */ reader) {
  const head = await reader.take(5);
  const type = String.fromCharCode(/** @type {number} */ (head[0]));
  const length = new DataView(head.buffer, head.byteOffset, 5).getInt32(1);
  return { type, body: await reader.take(length - 4) };
}

const crypto = globalThis.crypto;

async function hmac(/** @type {Uint8Array} */ key, /** @type {Uint8Array | string} */ data) {
  const imported = await crypto.subtle.importKey(
    "raw",
    /** @type {Uint8Array<ArrayBuffer>} */ (key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signed = await crypto.subtle.sign(
    "HMAC",
    imported,
    /** @type {Uint8Array<ArrayBuffer>} */ (typeof data === "string" ? utf8(data) : data),
  );
  return new Uint8Array(signed);
}

/**
 * SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL runs it: the user name in the messages is
 * empty (the startup message named the user), no channel binding. Verifies the server's
 * signature too, so a server that does not know the password cannot pretend it does.
 * @param {ByteReader} reader
 * @param {WritableStreamDefaultWriter<Uint8Array>} writer
 * @param {string} password ASCII (SASLprep leaves it as it is).
 */
async function scram(reader, writer, password) {
  const nonce = base64(crypto.getRandomValues(new Uint8Array(18)));
  const clientFirstBare = `n=,r=${nonce}`;
  const clientFirst = utf8(`n,,${clientFirstBare}`);
  await writer.write(
    message("p", cstring("SCRAM-SHA-256"), int32(clientFirst.byteLength), clientFirst),
  );

  const serverFirst = text((await expectAuth(reader, 11)).subarray(4));
  const attributes = Object.fromEntries(
    serverFirst.split(",").map((part) => [part[0], part.slice(2)]),
  );
  if (!attributes.r?.startsWith(nonce)) throw new Error("SCRAM: the server's nonce is not ours");
  const salted = new Uint8Array(
    await crypto.subtle.deriveBits(
      {
        name: "PBKDF2",
        hash: "SHA-256",
        salt: fromBase64(attributes.s ?? ""),
        iterations: Number(attributes.i),
      },
      await crypto.subtle.importKey("raw", utf8(password), "PBKDF2", false, ["deriveBits"]),
      256,
    ),
  );
  const clientKey = await hmac(salted, "Client Key");
  const storedKey = new Uint8Array(await crypto.subtle.digest("SHA-256", clientKey));
  const clientFinalBare = `c=biws,r=${attributes.r}`;
  const authMessage = `${clientFirstBare},${serverFirst},${clientFinalBare}`;
  const signature = await hmac(storedKey, authMessage);
  const proof = clientKey.map((byte, index) => byte ^ /** @type {number} */ (signature[index]));
  await writer.write(message("p", utf8(`${clientFinalBare},p=${base64(proof)}`)));

  const serverFinal = text((await expectAuth(reader, 12)).subarray(4));
  const serverSignature = base64(await hmac(await hmac(salted, "Server Key"), authMessage));
  if (serverFinal !== `v=${serverSignature}`) {
    throw new Error("SCRAM: the server's signature does not match: it does not know the password");
  }
}

/** The next authentication request, which must be of `kind`; an ErrorResponse is thrown. */
async function expectAuth(/** @type {ByteReader} */ reader, /** @type {number} */ kind) {
  const { type, body } = await readMessage(reader);
  if (type === "E") throw serverError(body);
  const got = new DataView(body.buffer, body.byteOffset, body.byteLength).getInt32(0);
  if (type !== "R" || got !== kind) {
    throw new Error(`expected authentication message ${kind}, got ${type} ${got}`);
  }
  return body;
}

/**
 * SSLRequest on the plain socket; only the lone byte "S" is taken as the server's yes (see
 * ssl-request.js). Then `startTls()`, verifying `servername` in the server's certificate.
 * @param {import("omnisock/sockets").Socket} socket
 * @param {string} servername
 */
async function negotiateSsl(socket, servername) {
  const writer = socket.writable.getWriter();
  await writer.write(sslRequest);
  writer.releaseLock();
  const reader = socket.readable.getReader();
  const { value: answer, done } = await reader.read();
  reader.releaseLock();
  const refused = done
    ? "the server closed the connection before answering SSLRequest"
    : sslAnswerRefusal(answer);
  if (refused !== undefined) {
    await socket.close();
    throw new Error(refused);
  }
  const secure = socket.startTls({ expectedServerHostname: servername });
  await secure.opened;
  return secure;
}

/**
 * @typedef {object} PostgresOptions
 * @property {string} hostname
 * @property {number} port
 * @property {string} user
 * @property {string} password
 * @property {string} database
 * @property {{ ca: string, servername: string }} [ssl] SSL, verified as `sslmode=verify-full`:
 *   the CA, and the name the server's certificate must carry.
 */

/**
 * Connects, logs in, and waits until the server is ready for queries.
 * @param {PostgresOptions} options
 */
export async function connectPostgres({ hostname, port, user, password, database, ssl }) {
  let socket = connect(
    { hostname, port },
    ssl ? { secureTransport: "starttls", tls: { ca: ssl.ca } } : undefined,
  );
  try {
    await socket.opened;
    if (ssl) socket = await negotiateSsl(socket, ssl.servername);
    const writer = socket.writable.getWriter();
    const reader = new ByteReader(socket.readable);
    // Protocol 3.0.
    await writer.write(
      message(
        "",
        int32(196_608),
        cstring("user"),
        cstring(user),
        cstring("database"),
        cstring(database),
        utf8("\0"),
      ),
    );
    /** How the server had us prove who we are. */
    let authentication = "none";
    for (;;) {
      const { type, body } = await readMessage(reader);
      if (type === "E") throw serverError(body);
      if (type === "Z") break;
      if (type !== "R") continue; // ParameterStatus, BackendKeyData, notices
      const kind = new DataView(body.buffer, body.byteOffset, body.byteLength).getInt32(0);
      if (kind === 0) continue;
      if (kind === 3) {
        authentication = "cleartext";
        await writer.write(message("p", cstring(password)));
      } else if (kind === 10) {
        const mechanisms = text(body.subarray(4)).split("\0");
        if (!mechanisms.includes("SCRAM-SHA-256")) {
          throw new Error(`no SASL mechanism this client knows: ${mechanisms.join(", ")}`);
        }
        authentication = "SCRAM-SHA-256";
        await scram(reader, writer, password);
      } else {
        throw new Error(`authentication method ${kind} is not supported by this client`);
      }
    }
    return new PostgresClient(socket, reader, writer, authentication);
  } catch (error) {
    await socket.close().catch(() => {});
    throw error;
  }
}

/** A logged-in connection: one simple query at a time. */
export class PostgresClient {
  #socket;
  #reader;
  #writer;

  /**
   * @param {import("omnisock/sockets").Socket} socket
   * @param {ByteReader} reader
   * @param {WritableStreamDefaultWriter<Uint8Array>} writer
   * @param {string} authentication
   */
  constructor(socket, reader, writer, authentication) {
    this.#socket = socket;
    this.#reader = reader;
    this.#writer = writer;
    /** How the login was proven: "SCRAM-SHA-256", "cleartext" or "none". */
    this.authentication = authentication;
  }

  /**
   * Runs `sql` (the simple query protocol) and returns the last statement's rows, each an
   * object of column name to text (`null` for NULL). An error from the server is thrown with
   * its SQLSTATE as `code`, once the server is ready again.
   * @param {string} sql
   * @returns {Promise<Record<string, string | null>[]>}
   */
  async query(sql) {
    await this.#writer.write(message("Q", cstring(sql)));
    /** @type {string[]} */
    let columns = [];
    /** @type {Record<string, string | null>[]} */
    let rows = [];
    /** @type {Error | undefined} */
    let failure;
    for (;;) {
      const { type, body } = await readMessage(this.#reader);
      const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
      if (type === "T") {
        columns = [];
        rows = [];
        let at = 2;
        for (let index = 0; index < view.getInt16(0); index++) {
          const end = body.indexOf(0, at);
          columns.push(text(body.subarray(at, end)));
          at = end + 1 + 18; // table oid, column, type oid, size, modifier, format
        }
      } else if (type === "D") {
        /** @type {Record<string, string | null>} */
        const row = {};
        let at = 2;
        for (let index = 0; index < view.getInt16(0); index++) {
          const length = view.getInt32(at);
          at += 4;
          row[columns[index] ?? `${index}`] =
            length < 0 ? null : text(body.subarray(at, at + length));
          at += Math.max(length, 0);
        }
        rows.push(row);
      } else if (type === "E") {
        failure = serverError(body);
      } else if (type === "Z") {
        if (failure) throw failure;
        return rows;
      }
    }
  }

  /** Says goodbye (Terminate) and closes the connection. */
  async close() {
    try {
      await this.#writer.write(message("X"));
      this.#writer.releaseLock();
      this.#reader.release();
    } finally {
      await this.#socket.close();
    }
  }
}
