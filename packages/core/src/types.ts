import type { SocketAddress } from "./address.js";
import type { JoinMulticastOptions, ServerCloseOptions } from "./options.js";

/**
 * Counters, the same on every runtime. For a stream a "packet" is one write handed to the
 * kernel, or one chunk read from it; for UDP it is one datagram.
 */
export interface SocketStats {
  readonly bytesSent: number;
  readonly bytesReceived: number;
  readonly packetsSent: number;
  readonly packetsReceived: number;
  /** `Date.now()` when the socket opened. */
  readonly openedAt: number;
  /** `Date.now()` when it closed, `undefined` while open. */
  readonly closedAt: number | undefined;
}

export interface DatagramStats extends SocketStats {
  /** Datagrams dropped because the receive queue was full (`receiveQueueSize`). */
  readonly packetsDropped: number;
}

export interface ServerStats {
  /** Connections accepted (and handed out or refused) since listening began. */
  readonly accepted: number;
  /** Connections closed at once: beyond `maxConnections`, or that failed the TLS handshake. */
  readonly refused: number;
  readonly openedAt: number;
  readonly closedAt: number | undefined;
}

/** What a TLS connection negotiated. The same names and value forms on every runtime. */
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

export type SocketState = "connecting" | "open" | "readClosed" | "writeClosed" | "closed";

export type ProbeResult = { ok: true; rtt: number } | { ok: false; code: string };

export type { SocketAddress, JoinMulticastOptions, ServerCloseOptions };
