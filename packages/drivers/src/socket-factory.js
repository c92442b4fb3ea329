// @ts-check
// The one place that gives every driver its socket, through the driver's own documented hook:
// postgres.js `socket`, node-postgres `stream`, ioredis `Connector`, MQTT.js `streamBuilder`,
// mysql2 `stream`. Each hook is built from a node:net-shaped module chosen in `driverSockets`
// (one line per driver) or, for a whole run, by OMNISOCK_DRIVER_SOCKET / the bench's --socket.
//
// Every driver is on `omnisock/net` (omnisock's engine: node:net on Node, Bun.connect on Bun,
// Deno.connect on Deno). The running runtime's own node:net (Bun's and Deno's compatibility
// layers there) stays one line away, for comparison: OMNISOCK_DRIVER_SOCKET=node:net, the
// bench's --socket.
//
// PostgreSQL's SSL is negotiated by the hook too (`postgresJsSsl`, `nodePostgresSsl`): SSLRequest,
// then the module's own upgrade, which for omnisock/net is omnisock's TLS; the driver's `ssl`
// stays off. mysql2 negotiates TLS inside its own handshake, with the runtime's node:tls on top
// of the socket given here (see the README).
import { AbstractConnector } from "ioredis";
import { capabilities } from "omnisock";
import { connectWithSslRequest, SslRequestStream } from "./postgres-ssl.js";

/**
 * A node:net-shaped module, and its TLS upgrade of a connected socket: what the hooks call.
 * @typedef {Pick<typeof import("node:net"), "Socket" | "createConnection">
 *   & import("./postgres-ssl.js").TlsModule
 *   & { canUpgrade: boolean }} NetModule
 */

/** @type {Record<string, () => Promise<NetModule>>} */
export const netModules = {
  // omnisock's engine, and omnisock's own TLS (`startTls`) where the runtime can upgrade.
  "omnisock/net": async () => {
    const net = await import("omnisock/net");
    return /** @type {NetModule} */ (
      /** @type {unknown} */ ({ ...net, canUpgrade: capabilities.tlsUpgrade })
    );
  },
  // The runtime's own node:net, and node:tls's `tls.connect({ socket })` over it.
  "node:net": async () => {
    const [net, tls] = await Promise.all([import("node:net"), import("node:tls")]);
    return {
      Socket: net.Socket,
      createConnection: net.createConnection,
      startTls: (options) => tls.connect(options),
      canUpgrade: true,
    };
  },
};

/** Where each driver's socket comes from: a key of `netModules`. */
export const driverSockets = {
  "postgres.js": "omnisock/net",
  "node-postgres": "omnisock/net",
  ioredis: "omnisock/net",
  "MQTT.js": "omnisock/net",
  mysql2: "omnisock/net",
};

/** @typedef {keyof typeof driverSockets} Driver */

/**
 * The environment variable that puts every driver on one module for a run.
 * @returns {string | undefined}
 */
export const socketOverride = () => process.env.OMNISOCK_DRIVER_SOCKET || undefined;

/**
 * Every driver's hook, each counting its calls so that a test can prove the driver really
 * took its sockets from here (a reconnect, a LISTEN connection, a cancel request included).
 * @param {{ socket?: string }} [options] `socket`: one key of `netModules` for every driver.
 */
export async function socketHooks({ socket = socketOverride() } = {}) {
  /** @type {Record<Driver, string>} */
  const modules = { ...driverSockets };
  if (socket !== undefined) {
    for (const driver of /** @type {Driver[]} */ (Object.keys(modules))) modules[driver] = socket;
  }
  /** @type {Record<string, NetModule>} */
  const loaded = {};
  for (const name of new Set(Object.values(modules))) {
    const load = netModules[name];
    if (load === undefined) {
      throw new Error(
        `unknown socket module "${name}": one of ${Object.keys(netModules).join(", ")}`,
      );
    }
    loaded[name] = await load();
  }
  const netFor = (/** @type {Driver} */ driver) =>
    /** @type {NetModule} */ (loaded[modules[driver]]);

  /** @type {Record<Driver, number>} */
  const calls = { "postgres.js": 0, "node-postgres": 0, ioredis: 0, "MQTT.js": 0, mysql2: 0 };

  /**
   * postgres.js `socket`: called with the connection's options; wants a socket that is already
   * connected (it writes the startup or SSLRequest message at once).
   * @param {{ host: string[], port: number[] }} options
   * @returns {Promise<import("node:net").Socket>}
   */
  const postgresJs = (options) => {
    calls["postgres.js"]++;
    // One host: the tests give one.
    const [host, port] = [options.host[0] ?? "127.0.0.1", options.port[0] ?? 5432];
    const socket = netFor("postgres.js").createConnection({ host, port });
    return new Promise((resolve, reject) => {
      const failed = (/** @type {Error} */ error) => reject(error);
      socket.once("error", failed);
      socket.once("connect", () => {
        socket.off("error", failed);
        resolve(socket);
      });
    });
  };

  /**
   * node-postgres `stream`: called with the client's config; wants an unconnected socket, on
   * which it calls connect(port, host) itself.
   */
  const nodePostgres = () => {
    calls["node-postgres"]++;
    return new (netFor("node-postgres").Socket)();
  };

  /**
   * postgres.js `socket` over SSL, verified as `sslmode=verify-full` does (`tls`: the CA and
   * the server's name): the hook sends SSLRequest, upgrades, and gives postgres.js the TLS
   * socket; its own `ssl` stays off. Its cancel requests come through here too, encrypted.
   * @param {import("./postgres-ssl.js").VerifyFull} tls
   */
  const postgresJsSsl = (tls) => {
    /** @param {{ host: string[], port: number[] }} options */
    return (options) => {
      calls["postgres.js"]++;
      const target = { host: options.host[0] ?? "127.0.0.1", port: options.port[0] ?? 5432 };
      return connectWithSslRequest(netFor("postgres.js"), target, tls);
    };
  };

  /**
   * node-postgres `stream` over SSL (see `postgresJsSsl`): a socket that pg connects itself, and
   * that says `'connect'` once it is encrypted and the server verified.
   * @param {import("./postgres-ssl.js").VerifyFull} tls
   */
  const nodePostgresSsl = (tls) => () => {
    calls["node-postgres"]++;
    return new SslRequestStream(netFor("node-postgres"), tls);
  };

  /** ioredis `Connector`: constructed with the client's options; connect() gives the socket. */
  class IoredisConnector extends AbstractConnector {
    /** @param {unknown} options The client's options (ioredis types them `unknown`). */
    constructor(options) {
      const { host, port, disconnectTimeout } =
        /** @type {{ host?: string, port?: number, disconnectTimeout?: number }} */ (options);
      super(disconnectTimeout ?? 2000);
      this.options = { host, port };
    }

    /** @returns {Promise<import("node:net").Socket>} */
    connect() {
      calls.ioredis++;
      this.connecting = true;
      const socket = netFor("ioredis").createConnection({
        host: this.options.host ?? "127.0.0.1",
        port: this.options.port ?? 6379,
      });
      // As ioredis's own connector does: an error before ioredis listens is kept for it.
      socket.once("error", (/** @type {Error} */ error) => {
        this.firstError = error;
      });
      this.stream = socket;
      return Promise.resolve(socket);
    }
  }

  /**
   * MQTT.js `streamBuilder`: called with the client, whose options carry host and port.
   * @param {{ options: { host?: string, port?: number } }} client
   */
  const mqtt = (client) => {
    calls["MQTT.js"]++;
    return netFor("MQTT.js").createConnection({
      host: client.options.host ?? "127.0.0.1",
      port: client.options.port ?? 1883,
    });
  };

  /**
   * mysql2 `stream`: called with `{ config }`; the server speaks first, so a connecting socket
   * is fine.
   * @param {{ config: { host?: string, port?: number } }} options
   */
  const mysql2 = ({ config }) => {
    calls.mysql2++;
    return netFor("mysql2").createConnection({
      host: config.host ?? "127.0.0.1",
      port: config.port ?? 3306,
    });
  };

  /** Whether `driver`'s socket module can upgrade to TLS on this runtime. */
  const canUpgrade = (/** @type {Driver} */ driver) => netFor(driver).canUpgrade;

  return {
    modules,
    calls,
    canUpgrade,
    postgresJs,
    postgresJsSsl,
    nodePostgres,
    nodePostgresSsl,
    IoredisConnector,
    mqtt,
    mysql2,
  };
}
