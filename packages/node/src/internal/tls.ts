// TLS over node:tls: https://nodejs.org/api/tls.html. omnisock's options in, node:tls's out;
// every default is stated here, so that none is left to Node.
import tls from "node:tls";
import type {
  NormalizedTlsClientOptions,
  NormalizedTlsServerOptions,
  TlsInfo,
} from "@omnisock/core/driver";

export function tlsClientOptions(options: NormalizedTlsClientOptions): tls.ConnectionOptions {
  const { verifyName } = options;
  return {
    // No SNI for an IP literal (RFC 6066); Node would send none either, but say so.
    ...(options.servername === undefined ? {} : { servername: options.servername }),
    ...(options.ca === undefined ? {} : { ca: [...options.ca] }),
    ...(options.cert === undefined ? {} : { cert: options.cert, key: options.key }),
    ALPNProtocols: [...options.alpnProtocols],
    rejectUnauthorized: options.rejectUnauthorized,
    // The name verified is omnisock's: the servername, else the target (an IP literal too).
    checkServerIdentity: (_host, certificate) => tls.checkServerIdentity(verifyName, certificate),
  };
}

export function tlsServerOptions(options: NormalizedTlsServerOptions): tls.TlsOptions {
  return {
    cert: options.cert,
    key: options.key,
    ...(options.ca === undefined ? {} : { ca: [...options.ca] }),
    requestCert: options.requestCert,
    // A certificate asked for must be valid: requestCert without this would accept any.
    rejectUnauthorized: options.requestCert,
    ALPNProtocols: [...options.alpnProtocols],
  };
}

/**
 * What the handshake agreed on, in omnisock's value forms (the IANA cipher name). A client
 * names the server it asked for; a server reads it from the handshake.
 */
export function tlsInfo(socket: tls.TLSSocket, asked: string | undefined): TlsInfo {
  const servername = asked ?? (socket as { servername?: string | false }).servername;
  return Object.freeze({
    protocol: socket.getProtocol() ?? undefined,
    cipher: socket.getCipher()?.standardName,
    alpnProtocol: socket.alpnProtocol || undefined,
    servername: typeof servername === "string" && servername !== "" ? servername : undefined,
  });
}
