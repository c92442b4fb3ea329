// The part of Bun's API this driver uses, declared here because @types/bun is not a
// dependency. Each shape was checked against Bun 1.4.5; https://bun.com/docs/api/tcp,
// https://bun.com/docs/api/udp and https://bun.com/docs/api/dns describe the rest.

/** A TCP or Unix connection. `data` is ours: the handle the shared handlers route to. */
export interface BunSocket<Data> {
  data: Data;
  /** Returns the bytes the kernel took (the rest is not kept: bun#16076), -1 once closed. */
  write(data: Uint8Array): number;
  /** shutdown(SHUT_WR). (`shutdown(true)` would be SHUT_RD.) */
  shutdown(): void;
  /** close(2): FIN. The `close` handler runs before this returns. */
  end(): void;
  /** SO_LINGER 0, then close(2): RST. The `close` handler runs before this returns. */
  terminate(): void;
  pause(): void;
  resume(): void;
  setNoDelay(enable: boolean): boolean;
  /** The delay is in milliseconds and floored to whole seconds; under one second it is not set. */
  setKeepAlive(enable: boolean, initialDelayMs: number): boolean;
  ref(): void;
  unref(): void;
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  /** STARTTLS: the raw socket and the TLS one over it; the raw one is the TLS layer's now. */
  upgradeTLS(options: {
    data: Data;
    tls: BunTlsOptions;
    socket: SocketHandler<Data>;
  }): [BunSocket<Data>, BunSocket<Data>];
  /** TLS only: the negotiated version, such as "TLSv1.3". */
  getTLSVersion?(): string | null;
  /** TLS only: `standardName` is the IANA name. */
  getCipher?(): { name: string; standardName: string; version: string } | null;
  /** TLS only: the agreed ALPN protocol, `false` when none was. */
  readonly alpnProtocol?: string | false | null;
  /** TLS only: the server name (SNI) sent or received. */
  getServername?(): string | undefined;
  /** TLS only: whether the peer's certificate was verified (the `handshake` verdict). */
  readonly authorized?: boolean;
  getAuthorizationError?(): Error | null;
}

/** Bun's TLS options (https://bun.com/docs/api/tcp#tls); ALPN in its wire form. */
export interface BunTlsOptions {
  ca?: string[];
  cert?: string;
  key?: string;
  serverName?: string;
  rejectUnauthorized?: boolean;
  requestCert?: boolean;
  ALPNProtocols?: ArrayBuffer | null;
}

/** Declared once per listener or per kind of connection, not per socket. */
export interface SocketHandler<Data> {
  binaryType: "uint8array";
  open?(socket: BunSocket<Data>): void;
  data(socket: BunSocket<Data>, chunk: Uint8Array): void;
  drain(socket: BunSocket<Data>): void;
  end(socket: BunSocket<Data>): void;
  /** TLS only, once the handshake is over: `success` false with why, when verification failed. */
  handshake?(socket: BunSocket<Data>, success: boolean, authorizationError: Error | null): void;
  /** `error` is set when the connection failed (ECONNRESET and the like). */
  close(socket: BunSocket<Data>, error?: Error): void;
  error(socket: BunSocket<Data>, error: Error): void;
}

export interface SocketListener {
  readonly hostname: string | undefined;
  readonly port: number | undefined;
  /** Fills `out` with the bound IP address; leaves it empty for a Unix socket. */
  getsockname(out: { address?: string; port?: number }): void;
  /** `false` leaves accepted connections open; the listening socket is closed at once. */
  stop(closeActiveConnections: boolean): void;
  ref(): void;
  unref(): void;
}

export interface UdpSocket {
  readonly port: number;
  readonly address: { readonly address: string; readonly port: number };
  /**
   * `false`: the send buffer is full and nothing was sent; `drain` follows. A connected socket
   * takes no target, and throws when given one.
   */
  send(data: Uint8Array, port: number, address: string): boolean;
  send(data: Uint8Array): boolean;
  setBroadcast(enable: boolean): boolean;
  setTTL(ttl: number): number;
  setMulticastTTL(ttl: number): number;
  setMulticastLoopback(enable: boolean): boolean;
  setMulticastInterface(address: string): boolean;
  addMembership(group: string, iface?: string): boolean;
  dropMembership(group: string, iface?: string): boolean;
  addSourceSpecificMembership(source: string, group: string, iface?: string): boolean;
  dropSourceSpecificMembership(source: string, group: string, iface?: string): boolean;
  close(): void;
  ref(): void;
  unref(): void;
}

export interface UdpOptions {
  hostname: string;
  port: number;
  binaryType: "uint8array";
  /** Undocumented, as Bun's own node:dgram passes them: 4 = SO_REUSEPORT, 8 = IPV6_V6ONLY. */
  flags: number;
  /** The only way to connect a UDP socket: it is bound, then connected, as it is created. */
  connect?: { hostname: string; port: number };
  socket: {
    data(socket: UdpSocket, data: Uint8Array, port: number, address: string): void;
    drain(socket: UdpSocket): void;
    /** Called with the socket as `this` and the error as the only argument (Bun 1.4.5). */
    error(this: UdpSocket, error: Error): void;
  };
}

interface TcpOptions {
  hostname: string;
  port: number;
}

interface StreamOptions<Data> {
  socket: SocketHandler<Data>;
  data?: Data;
  allowHalfOpen: boolean;
  tls?: BunTlsOptions;
}

export interface Bun {
  connect<Data>(
    options: StreamOptions<Data> &
      ({ unix: string } | (TcpOptions & { localAddress?: string; tls?: BunTlsOptions })),
  ): Promise<BunSocket<Data>>;
  listen<Data>(
    options: StreamOptions<Data> &
      (
        | { unix: string }
        | { fd: number }
        | (TcpOptions & { reusePort: boolean; ipv6Only: boolean; tls?: BunTlsOptions })
      ),
  ): SocketListener;
  udpSocket(options: UdpOptions): Promise<UdpSocket>;
  dns: {
    lookup(
      hostname: string,
      options: { family: 0 | 4 | 6; backend: "system" },
    ): Promise<{ address: string; family: 4 | 6 }[]>;
  };
}

/** Bun's global, or `undefined` on another runtime (index.ts then throws). */
export const bun = (globalThis as { Bun?: Bun }).Bun as Bun;

/** `process.platform`, which Bun provides. */
export const platform = (globalThis as { process?: { platform?: string } }).process?.platform;
