import type { SocketAddress } from "./address.js";
import type { JoinMulticastOptions, ServerCloseOptions } from "./options.js";

/**
 * Counters, the same on every runtime. For a stream a "packet" is one write handed to the
 * kernel, or one chunk read from it; for UDP it is one datagram.
 */
export interface SocketStats {
  /** Bytes handed to the kernel (for TLS, application bytes before encryption). */
  readonly bytesSent: number;
  /** Bytes read from the kernel (for TLS, application bytes after decryption). */
  readonly bytesReceived: number;
  /** Writes handed to the kernel (a stream), or datagrams sent. */
  readonly packetsSent: number;
  /** Chunks read from the kernel (a stream), or datagrams received. */
  readonly packetsReceived: number;
  /** `Date.now()` when the socket opened. */
  readonly openedAt: number;
  /** `Date.now()` when it closed, `undefined` while open. */
  readonly closedAt: number | undefined;
}

/** A datagram socket's counters: {@link SocketStats}, and what its receive queue dropped. */
export interface DatagramStats extends SocketStats {
  /** Datagrams dropped because the receive queue was full (`receiveQueueSize`). */
  readonly packetsDropped: number;
}

/** A server's counters. */
export interface ServerStats {
  /** Connections accepted (and handed out or refused) since listening began. */
  readonly accepted: number;
  /** Connections closed at once: beyond `maxConnections`, or that failed the TLS handshake. */
  readonly refused: number;
  /** `Date.now()` when the server began listening. */
  readonly openedAt: number;
  /** `Date.now()` when it closed (for a graceful close, when the last connection did), `undefined` until then. */
  readonly closedAt: number | undefined;
}

/**
 * What a TLS connection negotiated. The same names and value forms on every runtime.
 *
 * **Note:** where the runtime's TLS does not tell (`capabilities.tlsSessionInfo`; Deno),
 * `protocol` and `cipher` are `undefined`, and so is an accepted socket's `servername`.
 */
export interface TlsInfo {
  /** The protocol version, such as `"TLSv1.3"`; `undefined` where the runtime does not say. */
  readonly protocol: string | undefined;
  /** The cipher suite's IANA name, such as `"TLS_AES_256_GCM_SHA384"`; `undefined` where the runtime does not say. */
  readonly cipher: string | undefined;
  /** The protocol ALPN agreed on, or `undefined` when none was. */
  readonly alpnProtocol: string | undefined;
  /** The server name: the one sent (client), or the one the client asked for (server). */
  readonly servername: string | undefined;
}

/**
 * Where a socket is in its life:
 * - `connecting`: not yet connected (a socket is handed out once connected, so it is never
 *   seen in this state today);
 * - `open`: reading and writing;
 * - `readClosed`: the peer has half-closed (its FIN arrived); writing goes on;
 * - `writeClosed`: this side has half-closed (`end()`); reading goes on;
 * - `closed`: over, for good.
 *
 * A {@link DatagramSocket} is only ever `open` or `closed`.
 */
export type SocketState = "connecting" | "open" | "readClosed" | "writeClosed" | "closed";

/** What {@link Omnisock.probe} answers. */
export type ProbeResult =
  | {
      /** Something accepted the connection. */
      ok: true;
      /** Milliseconds the connection took, the lookup included. */
      rtt: number;
    }
  | {
      /** The connection failed. */
      ok: false;
      /** The failure's {@link SocketErrorCode}: `ECONNREFUSED`, `ETIMEDOUT`, `ENOTFOUND`, … */
      code: string;
    };

export type { SocketAddress, JoinMulticastOptions, ServerCloseOptions };
