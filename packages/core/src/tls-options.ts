// TLS options: checked before any I/O and given their defaults, for connect, listen and
// startTls alike.
import { checkBoolean, checkHostname, checkOptionsObject, typeError } from "./check.js";
import type {
  NormalizedTlsClientOptions,
  NormalizedTlsServerOptions,
  TlsClientOptions,
  TlsServerOptions,
} from "./options.js";
import { ipFamily } from "./parse-address.js";

const clientKeys = Object.keys({
  servername: true,
  ca: true,
  cert: true,
  key: true,
  alpnProtocols: true,
  rejectUnauthorized: true,
} satisfies Record<keyof TlsClientOptions, true>);

const serverKeys = Object.keys({
  cert: true,
  key: true,
  ca: true,
  requestCert: true,
  alpnProtocols: true,
} satisfies Record<keyof TlsServerOptions, true>);

/** A PEM block's first line: what every runtime's TLS reads. */
function checkPem(name: string, value: unknown, label: string): string {
  if (typeof value !== "string" || !value.includes(`-----BEGIN ${label}`)) {
    throw typeError(name, `a PEM string ("-----BEGIN ${label}…")`, value);
  }
  return value;
}

function checkCa(name: string, value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) {
    throw typeError(name, "a PEM string or a non-empty array of them", value);
  }
  return Object.freeze(
    list.map((entry, index) => checkPem(`${name}[${index}]`, entry, "CERTIFICATE")),
  );
}

function checkAlpn(name: string, value: unknown): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw typeError(name, "an array of strings", value);
  return Object.freeze(
    value.map((protocol, index) => {
      // RFC 7301: a protocol name is 1 to 255 bytes.
      if (typeof protocol !== "string" || protocol.length === 0 || protocol.length > 255) {
        throw typeError(`${name}[${index}]`, "a protocol name of 1 to 255 characters", protocol);
      }
      return protocol;
    }),
  );
}

/** The certificate and key of one side: both or neither. */
function checkIdentity(name: string, raw: Record<string, unknown>, required: boolean) {
  if (!required && raw.cert === undefined && raw.key === undefined) {
    return { cert: undefined, key: undefined };
  }
  if (raw.cert === undefined || raw.key === undefined) {
    const missing = raw.cert === undefined ? "cert" : "key";
    throw new TypeError(
      required
        ? `The "${name}.${missing}" option is required: a TLS server needs its certificate and key`
        : `The "${name}.cert" and "${name}.key" options go together: "${name}.${missing}" is missing`,
    );
  }
  return {
    cert: checkPem(`${name}.cert`, raw.cert, "CERTIFICATE"),
    // "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY" all contain it.
    key: checkKey(`${name}.key`, raw.key),
  };
}

function checkKey(name: string, value: unknown): string {
  if (typeof value !== "string" || !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value)) {
    throw typeError(name, 'a PEM private key ("-----BEGIN PRIVATE KEY…")', value);
  }
  return value;
}

/**
 * A client's TLS options. `hostname` is the connect target's host: the default name to send
 * and verify (an IP literal is verified, but never sent as SNI, as RFC 6066 says).
 */
export function normalizeTlsClient(
  name: string,
  value: unknown,
  hostname: string,
): NormalizedTlsClientOptions {
  if (value !== true && (typeof value !== "object" || value === null)) {
    throw typeError(name, "true or an object of TLS options", value);
  }
  const raw = value === true ? {} : checkOptionsObject(name, value, clientKeys);
  const servername =
    raw.servername === undefined ? undefined : checkHostname(`${name}.servername`, raw.servername);
  const { cert, key } = checkIdentity(name, raw, false);
  const verifyName = servername ?? hostname;
  return {
    servername: servername ?? (ipFamily(hostname) ? undefined : hostname),
    verifyName,
    ca: checkCa(`${name}.ca`, raw.ca),
    cert,
    key,
    alpnProtocols: checkAlpn(`${name}.alpnProtocols`, raw.alpnProtocols),
    rejectUnauthorized:
      raw.rejectUnauthorized === undefined
        ? true
        : checkBoolean(`${name}.rejectUnauthorized`, raw.rejectUnauthorized),
  };
}

/** A server's TLS options: `cert` and `key` are required. */
export function normalizeTlsServer(name: string, value: unknown): NormalizedTlsServerOptions {
  if (typeof value !== "object" || value === null) {
    throw typeError(name, "an object of TLS options with cert and key", value);
  }
  const raw = checkOptionsObject(name, value, serverKeys);
  const { cert, key } = checkIdentity(name, raw, true);
  const requestCert =
    raw.requestCert === undefined ? false : checkBoolean(`${name}.requestCert`, raw.requestCert);
  const ca = checkCa(`${name}.ca`, raw.ca);
  if (requestCert && ca === undefined) {
    throw new TypeError(
      `The "${name}.ca" option is required with requestCert: client certificates are verified against it`,
    );
  }
  return {
    cert: cert!,
    key: key!,
    ca,
    requestCert,
    alpnProtocols: checkAlpn(`${name}.alpnProtocols`, raw.alpnProtocols),
  };
}
