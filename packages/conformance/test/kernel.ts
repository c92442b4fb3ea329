// The kernel's view of this host's sockets (ConformanceContext.kernel), shared by the Node,
// Bun and Deno entries: all three run node:child_process and node:fs. Linux only: it reads
// /proc/net/tcp, asks `ss`, and asks sock_diag and IP_RECVTTL through python3, since none of
// the runtimes can read these back. A helper whose tool is missing is left out.
import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { platform } from "node:os";
import type {
  DatagramProbe,
  Kernel,
  ProbedDatagram,
  SocketBuffers,
  TcpTimer,
} from "../src/suite.js";
import { firstLine, stop } from "./helper-process.js";

// The `tr` field of /proc/net/tcp, by value.
// https://www.kernel.org/doc/Documentation/networking/proc_net_tcp.txt
const timerKinds: readonly TcpTimer["kind"][] = [
  "none",
  "retransmit",
  "keepalive",
  "timeWait",
  "zeroWindowProbe",
];

async function tcpTimer(localPort: number, remotePort: number): Promise<TcpTimer | undefined> {
  const hex = (port: number) => port.toString(16).toUpperCase().padStart(4, "0");
  const [local, remote] = [`:${hex(localPort)}`, `:${hex(remotePort)}`];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!existsSync(file)) continue;
    for (const line of (await readFile(file, "utf8")).split("\n").slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid ...
      const fields = line.trim().split(/\s+/);
      if (!fields[1]?.endsWith(local) || !fields[2]?.endsWith(remote)) continue;
      const [tr = "0", when = "0"] = (fields[5] ?? "").split(":");
      const kind = timerKinds[parseInt(tr, 16)] ?? "none";
      // tm->when counts USER_HZ ticks, 100 a second.
      return { kind, ms: kind === "none" ? 0 : parseInt(when, 16) * 10 };
    }
  }
  return undefined;
}

function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 5_000 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
  });
}

// `ss` shows a listening socket's backlog (sk_max_ack_backlog) as its Send-Q.
async function listenBacklog(
  address: Parameters<NonNullable<Kernel["listenBacklog"]>>[0],
): Promise<number | undefined> {
  if (address.transport === "unix") {
    // Netid State Recv-Q Send-Q Path Inode Peer Inode
    for (const line of (await run("ss", ["-Hlx"])).split("\n")) {
      const fields = line.trim().split(/\s+/);
      if (fields[4] === address.path) return Number(fields[3]);
    }
    return undefined;
  }
  // State Recv-Q Send-Q Local:Port Peer:Port
  const fields = (await run("ss", ["-Hltn", `sport = :${address.port}`])).trim().split(/\s+/);
  return fields[2] === undefined ? undefined : Number(fields[2]);
}

// sock_diag (netlink) for the sockets on one local port: SO_RCVBUF / SO_SNDBUF from
// INET_DIAG_SKMEMINFO, IP_MULTICAST_LOOP from INET_DIAG_SOCKOPT (Linux 5.10+), which neither
// `ss` nor /proc shows. Prints a JSON list, one entry per socket.
const diagProgram = `
import json, socket, struct, sys
protocol = socket.IPPROTO_TCP if sys.argv[1] == "tcp" else socket.IPPROTO_UDP
port = int(sys.argv[2])
found = []
for family in (socket.AF_INET, socket.AF_INET6):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 4)
    request = struct.pack("=BBBBI", family, protocol, 1 << 6, 0, 0xFFFFFFFF)
    request += struct.pack(">HH", 0, 0) + bytes(32) + struct.pack("=III", 0, 0xFFFFFFFF, 0xFFFFFFFF)
    s.sendto(struct.pack("=IHHII", 16 + len(request), 20, 0x301, 1, 0) + request, (0, 0))
    done = False
    while not done:
        data = s.recv(1 << 16)
        offset = 0
        while offset < len(data):
            length, kind = struct.unpack_from("=IH", data, offset)
            if kind in (2, 3):
                done = True
                break
            body = data[offset + 16 : offset + length]
            if struct.unpack_from(">H", body, 4)[0] == port:
                entry = {}
                at = 72
                while at + 4 <= len(body):
                    size, type = struct.unpack_from("=HH", body, at)
                    value = body[at + 4 : at + size]
                    if type == 22:
                        entry["multicastLoop"] = bool(value[0] & 0x10)
                    if type == 7:
                        memory = struct.unpack_from("=9I", value)
                        entry["receive"] = memory[1]
                        entry["send"] = memory[3]
                    at += (size + 3) & ~3
                found.append(entry)
            offset += (length + 3) & ~3
print(json.dumps(found))
`;

interface Diagnosed extends Partial<SocketBuffers> {
  readonly multicastLoop?: boolean;
}

async function diagnose(transport: "tcp" | "udp", port: number): Promise<Diagnosed | undefined> {
  const found = JSON.parse(
    await run("python3", ["-c", diagProgram, transport, String(port)]),
  ) as Diagnosed[];
  return found[0];
}

async function socketBuffers(
  transport: "tcp" | "udp",
  port: number,
): Promise<SocketBuffers | undefined> {
  const found = await diagnose(transport, port);
  if (found?.receive === undefined || found.send === undefined) return undefined;
  return { receive: found.receive, send: found.send };
}

async function multicastLoop(port: number): Promise<boolean | undefined> {
  return (await diagnose("udp", port))?.multicastLoop;
}

// A UDP receiver that prints each datagram with its TTL (IP_RECVTTL) and the address of the
// interface it came in by (IP_PKTINFO); it exits when its stdin closes, or after 20 s.
const probeProgram = `
import json, select, socket, struct, sys, time
IP_TTL, IP_PKTINFO, IP_RECVTTL = 2, 8, 12  # <linux/in.h>; Python names only some of them
hostname, group = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((group or hostname, 0))
if group:
    membership = socket.inet_aton(group) + socket.inet_aton(hostname)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
s.setsockopt(socket.IPPROTO_IP, IP_RECVTTL, 1)
s.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
print(json.dumps({"port": s.getsockname()[1]}), flush=True)
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    ready = select.select([s, sys.stdin], [], [], 0.5)[0]
    if sys.stdin in ready and not sys.stdin.buffer.read1(1):
        break
    if s not in ready:
        continue
    data, ancillary, _, (source, port) = s.recvmsg(65536, 256)
    out = {"data": data.decode("utf-8", "replace"), "hostname": source, "port": port}
    for level, kind, value in ancillary:
        if level == socket.IPPROTO_IP and kind == IP_TTL:
            out["ttl"] = struct.unpack("=i", value)[0]
        if level == socket.IPPROTO_IP and kind == IP_PKTINFO:
            out["interface"] = socket.inet_ntoa(value[4:8])
    print(json.dumps(out), flush=True)
`;

async function datagramProbe(options: {
  hostname: string;
  group?: string;
}): Promise<DatagramProbe> {
  const child = spawn("python3", ["-c", probeProgram, options.hostname, options.group ?? ""], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  const { port } = JSON.parse(await firstLine(child, "the datagram probe")) as { port: number };
  const nextLine = lines(child);
  return {
    port,
    next: async (ms) => {
      const line = await nextLine(ms);
      return line === undefined ? undefined : (JSON.parse(line) as ProbedDatagram);
    },
    close: () => stop(child),
  };
}

/** The lines `child` writes from now on, one a call; `undefined` if none comes within `ms`. */
function lines(child: ChildProcess): (ms: number) => Promise<string | undefined> {
  const queued: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let buffered = "";
  child.stdout?.on("data", (chunk: Uint8Array) => {
    buffered += chunk;
    for (let end = buffered.indexOf("\n"); end !== -1; end = buffered.indexOf("\n")) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      const waiter = waiting.shift();
      if (waiter) waiter(line);
      else queued.push(line);
    }
  });
  return (ms) => {
    const line = queued.shift();
    if (line !== undefined) return Promise.resolve(line);
    return new Promise((resolve) => {
      const waiter = (line: string) => {
        clearTimeout(timer);
        resolve(line);
      };
      const timer = setTimeout(() => {
        waiting.splice(waiting.indexOf(waiter), 1);
        resolve(undefined);
      }, ms);
      waiting.push(waiter);
    });
  };
}

function runs(command: string, args: readonly string[]): boolean {
  return spawnSync(command, args, { stdio: "ignore", timeout: 5_000 }).status === 0;
}

/** The helpers this host can serve: on Linux, those whose tools are there; elsewhere none. */
export function linuxKernel(): Kernel | undefined {
  if (platform() !== "linux") return undefined;
  const ss = runs("ss", ["-V"]);
  const python = runs("python3", ["-c", ""]);
  return {
    ...(existsSync("/proc/net/tcp") && { tcpTimer }),
    ...(ss && { listenBacklog }),
    ...(python && { socketBuffers, multicastLoop, datagramProbe }),
  };
}
