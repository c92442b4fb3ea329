// TLS over node:tls: https://nodejs.org/api/tls.html. omnisock's options in, node:tls's out;
// every default is stated here, so that none is left to Node.
import net from "node:net";
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

/**
 * TLS as the client over `socket`, a connected TCP socket (connect and STARTTLS alike):
 * resolves once the handshake is over and the server verified; a failure destroys both.
 */
export function secureClient(
  socket: net.Socket,
  options: NormalizedTlsClientOptions,
): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = tls.connect({ ...tlsClientOptions(options), socket });
    const fail = (error: Error): void => {
      secure.destroy();
      reject(error);
    };
    secure.on("error", fail);
    secure.once("secureConnect", () => {
      secure.off("error", fail);
      resolve(secure);
    });
  });
}

/** The one mapping of a TLS server's options, for listen() and a server's STARTTLS alike. */
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

/**
 * The TCP socket under a TLS one that a tls.Server accepted, for reset(): node:tls keeps it as
 * the undocumented `_parent` (Node 20 to 24); without it, reset() closes instead.
 */
export function parentOf(secure: tls.TLSSocket): net.Socket | undefined {
  const parent = (secure as { _parent?: unknown })._parent;
  return parent instanceof net.Socket && !(parent instanceof tls.TLSSocket) ? parent : undefined;
}
