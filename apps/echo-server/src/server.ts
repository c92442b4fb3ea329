#!/usr/bin/env node
/**
 * omnisock-echo-server: echoes over TCP, UDP and a Unix socket, and shows its sockets as it goes.
 *
 *   omnisock-echo-server --port 7000 --duration 60
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { integerFlag, packageVersion, parseFlags, run, UsageError } from "@omnisock/echo-client";
import { startEcho } from "./echo.js";
import { monitor, runtime } from "./omnisock.js";
import { SocketView } from "./view.js";

const USAGE = `Usage: omnisock-echo-server [options]

Echoes every byte back over TCP, UDP and a Unix socket. In a terminal it shows a live
table of its sockets; otherwise it writes one line per connection event.

  --host <address>      address to listen on (default 127.0.0.1)
  --port <port>         TCP port, 0 for any free one (default 7000)
  --udp-port <port>     UDP port (default: the same as --port)
  --unix <path>         Unix socket path (default: omnisock-echo-<pid>.sock in the temp dir)
  --no-unix             no Unix socket
  --duration <seconds>  stop by itself after this long
  -h, --help            show this text
  --version             show the version

Ctrl-C (SIGINT) or SIGTERM stops it: no new connections, open ones get 2 s to finish.
`;

async function main(): Promise<number> {
  const values = parseFlags({
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string" },
    "udp-port": { type: "string" },
    unix: { type: "string" },
    "no-unix": { type: "boolean" },
    duration: { type: "string" },
    help: { type: "boolean", short: "h" },
    version: { type: "boolean" },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`omnisock-echo-server ${packageVersion(import.meta.url)} (${runtime})\n`);
    return 0;
  }
  const port = integerFlag("port", values.port, 7000, 0, 65_535);
  const udpPort = integerFlag("udp-port", values["udp-port"], port, 0, 65_535);
  const duration =
    values.duration === undefined
      ? undefined
      : integerFlag("duration", values.duration, 0, 1, 86_400);
  if (values.unix !== undefined && values["no-unix"]) {
    throw new UsageError("--unix and --no-unix exclude each other");
  }
  if (values.unix === "") throw new UsageError("--unix needs a path");
  const unixPath = values["no-unix"]
    ? undefined
    : (values.unix ?? join(tmpdir(), `omnisock-echo-${process.pid}.sock`));

  const stops = duration === undefined ? "Ctrl-C stops" : `stops after ${duration} s or on Ctrl-C`;
  const view = new SocketView(
    monitor,
    process.stdout,
    `omnisock echo server on ${runtime}; ${stops}`,
  );
  let echo;
  try {
    echo = await startEcho({
      hostname: values.host,
      port,
      udpPort,
      unixPath,
      onOpen: (item) => view.track(item),
    });
  } catch (error) {
    view.stop();
    throw error;
  }

  const reason = await stopSignal(duration);
  view.note(`stopping: ${reason}`);
  await echo.close();
  view.stop();
  return 0;
}

/** Resolves with what asked us to stop: a signal, or the end of --duration. */
function stopSignal(duration: number | undefined): Promise<string> {
  return new Promise((resolve) => {
    const stop = (reason: string) => {
      // From now on a second Ctrl-C ends the process at once, as it would without us.
      process.off("SIGINT", onInterrupt);
      process.off("SIGTERM", onTerminate);
      clearTimeout(timer);
      resolve(reason);
    };
    const onInterrupt = () => stop("SIGINT");
    const onTerminate = () => stop("SIGTERM");
    process.on("SIGINT", onInterrupt);
    process.on("SIGTERM", onTerminate);
    const timer =
      duration === undefined
        ? undefined
        : setTimeout(() => stop(`${duration} s are up`), duration * 1000);
  });
}

run(main);
