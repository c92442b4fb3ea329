// TLS over Deno's own TLS (https://docs.deno.com/api/deno/~/Deno.startTls,
// https://docs.deno.com/api/deno/~/Deno.listenTls), not node:tls.
//
// What Deno cannot do (each is a `capabilities` flag):
// - a client certificate on an upgraded connection (deno#21496) (`tlsClientCertificate`);
// - ask clients for certificates: Deno.listenTls has no requestCert or ca (`tlsClientAuth`);
// - turn verification off per connection: only --unsafely-ignore-certificate-errors, for the
//   whole process (`tlsNoVerify`);
// - tell the protocol version, the cipher or, on a server, the SNI name: handshake() gives
//   the ALPN protocol only (`tlsSessionInfo`);
// - send an RST (`tlsReset`, as `reset`);
// - set TCP_NODELAY on a TLS connection: Deno.TlsConn has no setNoDelay (deno#13617), and
//   Deno.listenTls hands over no TCP connection to set it on first (`tlsServerNoDelay`);
// - a server's STARTTLS: Deno.startTls is the client's side only, and Deno has nothing that
//   upgrades an accepted connection (deno#18451) (`tlsServerUpgrade`); its node:tls layer
//   could, and omnisock never goes through it;
// - start TLS on a plain connection before the peer has sent anything (`tlsUpgradeBeforeData`):
//   Deno.startTls refuses a connection with a read pending (Busy: the pending read op holds the
//   resource), no public API cancels a read without closing the connection, and until the
//   first chunk one is pending, so that a peer's FIN or RST is noticed on a socket nobody reads.
// STARTTLS (`startTls()`) goes through secureClient, the same path as connect's TLS. It works
// because a plain TCP client connection reads on demand (StreamHandle.readsOnDemand): after
// its first chunk, only while a reader waits, so no read is pending once the consumer has
// read the server's answer and left its loop. Deno.startTls takes TCP only: a Unix socket's
// startTls() is ENOTSUP.
import type {
  NormalizedTlsClientOptions,
  NormalizedTlsServerOptions,
  TlsInfo,
} from "@omnisock/core/driver";
import { abortable } from "./abortable.js";
import { type Conn, deno, type TlsConn } from "./deno.js";

function info(alpnProtocol: string | null, servername: string | undefined): TlsInfo {
  return Object.freeze({
    protocol: undefined,
    cipher: undefined,
    alpnProtocol: alpnProtocol ?? undefined,
    servername,
  });
}

/**
 * TLS over a connected TCP `conn` (which it consumes), handshake and verification included:
 * Deno checks the certificate against `hostname`, omnisock's `verifyName`. `signal` gives up.
 */
export async function secureClient(
  conn: Conn,
  options: NormalizedTlsClientOptions,
  signal: AbortSignal | undefined,
): Promise<{ conn: TlsConn; info: TlsInfo }> {
  const secure = await deno.startTls(conn, {
    hostname: options.verifyName,
    ...(options.ca === undefined ? {} : { caCerts: [...options.ca] }),
    ...(options.alpnProtocols.length === 0 ? {} : { alpnProtocols: [...options.alpnProtocols] }),
  });
  try {
    // A handshake that ends after the abort needs no release: the catch below closes `secure`.
    const { alpnProtocol } = await abortable(secure.handshake(), signal, () => {});
    return { conn: secure, info: info(alpnProtocol, options.servername) };
  } catch (error) {
    try {
      secure.close();
    } catch {
      // Already closed.
    }
    throw error;
  }
}

/** An accepted TLS connection, once its handshake is over. */
export async function secureAccepted(conn: TlsConn): Promise<TlsInfo> {
  const { alpnProtocol } = await conn.handshake();
  return info(alpnProtocol, undefined);
}

export function listenTlsOptions(options: NormalizedTlsServerOptions) {
  return {
    cert: options.cert,
    key: options.key,
    ...(options.alpnProtocols.length === 0 ? {} : { alpnProtocols: [...options.alpnProtocols] }),
  };
}
