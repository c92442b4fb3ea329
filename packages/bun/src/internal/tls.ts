// TLS over Bun.connect / Bun.listen's own `tls` (https://bun.com/docs/api/tcp), not node:tls.
// omnisock's options in, Bun's out; every default is stated here.
import type { NormalizedTlsClientOptions, NormalizedTlsServerOptions } from "@omnisock/core/driver";
import type { BunTlsOptions } from "./bun.js";

/** ALPN in its wire form (RFC 7301): each name preceded by its length. Bun takes no array. */
function alpnWire(protocols: readonly string[]): ArrayBuffer | null {
  if (protocols.length === 0) return null;
  const names = protocols.map((protocol) => new TextEncoder().encode(protocol));
  const wire = new Uint8Array(names.reduce((total, name) => total + 1 + name.length, 0));
  let offset = 0;
  for (const name of names) {
    wire[offset++] = name.length;
    wire.set(name, offset);
    offset += name.length;
  }
  return wire.buffer;
}

export function bunTlsClient(options: NormalizedTlsClientOptions): BunTlsOptions {
  return {
    ...(options.ca === undefined ? {} : { ca: [...options.ca] }),
    ...(options.cert === undefined ? {} : { cert: options.cert, key: options.key }),
    // Bun verifies the certificate against serverName, or against the IP it connected to
    // when there is none: omnisock's `verifyName` either way.
    ...(options.servername === undefined ? {} : { serverName: options.servername }),
    rejectUnauthorized: options.rejectUnauthorized,
    ALPNProtocols: alpnWire(options.alpnProtocols),
  };
}

export function bunTlsServer(options: NormalizedTlsServerOptions): BunTlsOptions {
  return {
    cert: options.cert,
    key: options.key,
    ...(options.ca === undefined ? {} : { ca: [...options.ca] }),
    requestCert: options.requestCert,
    // A certificate asked for must be valid: requestCert without this would accept any.
    rejectUnauthorized: options.requestCert,
    ALPNProtocols: alpnWire(options.alpnProtocols),
  };
}
