// @ts-check
// The one place that gives every driver its socket, through the driver's own documented hook:
// postgres.js `socket`, node-postgres `stream`, ioredis `Connector`, MQTT.js `streamBuilder`,
// mysql2 `stream`. Each hook is built from a node:net-shaped module chosen in `driverSockets`
// (one line per driver) or, for a whole run, by OMNISOCK_DRIVER_SOCKET / the bench's --socket.
//
// Today the only module is the running runtime's own node:net (Bun's and Deno's compatibility
// layers on those runtimes): that proves the harness and the workloads on all four runtimes.
// omnisock's becomes one more entry in `netModules` once the package exports it.
//
// SSL is still the driver's own: each driver calls the runtime's `tls.connect({ socket })` on
// the socket given here. Cases that depend on that are marked `SWITCH(tls)` where they are.
import { AbstractConnector } from "ioredis";

/**
 * A node:net-shaped module: what the hooks below call.
 * @typedef {Pick<typeof import("node:net"), "Socket" | "createConnection">} NetModule
 */

/** @type {Record<string, () => Promise<NetModule>>} */
export const netModules = {
  "node:net": () => import("node:net"),
  // "omnisock/net": () => import("omnisock/net"),
};

/** Where each driver's socket comes from: a key of `netModules`. */
export const driverSockets = {
  "postgres.js": "node:net",
  "node-postgres": "node:net",
  ioredis: "node:net",
  "MQTT.js": "node:net",
  mysql2: "node:net",
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

  return { modules, calls, postgresJs, nodePostgres, IoredisConnector, mqtt, mysql2 };
}
