// TLS peers the project did not write: python3's ssl module, as an echo server in a child
// process, and as a STARTTLS client. Shared by the three runtimes' entries (all run
// node:child_process and node:fs).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ExternalTlsClient, ExternalTlsPeer } from "../src/suite.js";
import { firstLine, stop } from "./helper-process.js";

// Bounded: it stops accepting after 20 s without a connection, and serves one at a time.
// With "starttls" it speaks plaintext first: a line "STARTTLS" is answered "GO\\n" and TLS
// follows; "STARTTLS-INJECT" is answered "GO\\n" and then, 50 ms later, plaintext that a
// client must not take for TLS.
const program = `
import socket, ssl, sys, time
starttls = sys.argv[3] == "starttls"
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(sys.argv[1], sys.argv[2])
context.set_alpn_protocols(["omnisock/1"])
listener = socket.create_server(("127.0.0.1", 0))
listener.settimeout(20)
print(listener.getsockname()[1], flush=True)
while True:
    connection, _ = listener.accept()
    connection.settimeout(20)
    if starttls:
        line = b""
        while not line.endswith(b"\\n"):
            byte = connection.recv(1)
            if not byte:
                break
            line += byte
        connection.sendall(b"GO\\n")
        if line.strip() == b"STARTTLS-INJECT":
            time.sleep(0.05)
            connection.sendall(b"INJECTED")
            time.sleep(1)
            connection.close()
            continue
    with context.wrap_socket(connection, server_side=True) as tls:
        tls.sendall((tls.version() + " " + str(tls.selected_alpn_protocol()) + "\\n").encode())
        while data := tls.recv(65536):
            tls.sendall(data)
`;

/** python3's TLS echo server with `cert` and `key`; it first writes "<version> <alpn>\\n". */
export function pythonTlsEcho(cert: string, key: string): Promise<ExternalTlsPeer> {
  return pythonPeer(cert, key, "tls");
}

/** The same after a plaintext STARTTLS exchange (see `program`). */
export function pythonStartTls(cert: string, key: string): Promise<ExternalTlsPeer> {
  return pythonPeer(cert, key, "starttls");
}

async function pythonPeer(
  cert: string,
  key: string,
  mode: "tls" | "starttls",
): Promise<ExternalTlsPeer> {
  const dir = mkdtempSync(join(tmpdir(), "omnisock-tls-"));
  writeFileSync(join(dir, "cert.pem"), cert);
  writeFileSync(join(dir, "key.pem"), key);
  const child = spawn(
    "python3",
    ["-c", program, join(dir, "cert.pem"), join(dir, "key.pem"), mode],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  try {
    const port = Number(await firstLine(child, "python3's TLS server"));
    return {
      port,
      close: async () => {
        await stop(child);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

// The client: STARTTLS in plaintext, then TLS verified against the CA file and "localhost"
// (create_default_context checks both), echoing until the server's close_notify. Reads the
// answer a byte at a time, so that nothing past "GO\n" is taken as plaintext. Bounded: every
// socket operation gives up after 20 s.
const clientProgram = `
import socket, ssl, sys
context = ssl.create_default_context(cafile=sys.argv[2])
connection = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
connection.sendall(b"STARTTLS\\n")
answer = b""
while not answer.endswith(b"\\n"):
    byte = connection.recv(1)
    if not byte:
        sys.exit("the server closed before answering STARTTLS")
    answer += byte
if answer != b"GO\\n":
    sys.exit("the server answered %r" % answer)
with context.wrap_socket(connection, server_hostname="localhost") as tls:
    echoed = 0
    while data := tls.recv(65536):
        tls.sendall(data)
        echoed += len(data)
    print(tls.version(), echoed, flush=True)
`;

/** python3's STARTTLS client against 127.0.0.1:`port`, trusting `ca` (see `clientProgram`). */
export async function pythonStartTlsClient(port: number, ca: string): Promise<ExternalTlsClient> {
  const dir = mkdtempSync(join(tmpdir(), "omnisock-tls-"));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  writeFileSync(join(dir, "ca.pem"), ca);
  const child = spawn("python3", ["-c", clientProgram, String(port), join(dir, "ca.pem")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const done = firstLine(child, "python3's STARTTLS client", Date.now() + 20_000);
  done.catch(() => {}); // the case awaits it; a failure it never reaches is not unhandled
  return {
    done,
    close: async () => {
      await stop(child);
      remove();
    },
  };
}
