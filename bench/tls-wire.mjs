// What a TLS client and server agreed on, read from the wire rather than asked of an API
// (Deno's TLS tells neither the version nor the cipher): a relay on loopback passes the bytes
// through both ways and parses the server's first record, the ServerHello (RFC 8446 §4.1.3),
// which is in the clear in TLS 1.2 and 1.3 alike. The runner sends one short run of each
// program through it, so that every comparison can show that both sides used the same cipher.
import net from "node:net";

/** IANA names of the cipher suites a runtime may pick; any other is shown as its number. */
const SUITES = {
  0x1301: "TLS_AES_128_GCM_SHA256",
  0x1302: "TLS_AES_256_GCM_SHA384",
  0x1303: "TLS_CHACHA20_POLY1305_SHA256",
  0xc02b: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  0xc02c: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  0xcca9: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
};
const VERSIONS = { 0x0303: "TLSv1.2", 0x0304: "TLSv1.3" };
/** Key exchange groups (TLS 1.3's key_share): the handshake's cost, not the transfer's. */
const GROUPS = {
  0x0017: "secp256r1",
  0x0018: "secp384r1",
  0x001d: "x25519",
  0x11ec: "X25519MLKEM768",
};
const hex = (value) => `0x${value.toString(16).padStart(4, "0")}`;

/**
 * The protocol, cipher and (TLS 1.3) key exchange group of a ServerHello at the start of
 * `bytes`, or undefined while its record is incomplete. Throws on anything else.
 */
export function parseServerHello(bytes) {
  if (bytes.length < 5) return undefined;
  if (bytes[0] !== 22)
    throw new Error(`the server's first record is of type ${bytes[0]}, not a handshake`);
  const u16 = (at) => (bytes[at] << 8) | bytes[at + 1];
  const end = 5 + u16(3);
  if (bytes.length < end) return undefined;
  if (bytes[5] !== 2)
    throw new Error(`the server's first message is of type ${bytes[5]}, not a ServerHello`);
  // type (1) + length (3), legacy_version (2), random (32), session id (1 + n)
  let at = 9;
  let version = u16(at);
  at += 2 + 32;
  at += 1 + bytes[at];
  const suite = u16(at);
  at += 2 + 1; // cipher suite, compression method
  let group;
  if (at + 2 <= end) {
    const extensionsEnd = Math.min(end, at + 2 + u16(at));
    at += 2;
    while (at + 4 <= extensionsEnd) {
      const type = u16(at);
      const length = u16(at + 2);
      if (type === 43 && length >= 2) version = u16(at + 4); // supported_versions: the real one
      if (type === 51 && length >= 2) group = u16(at + 4); // key_share
      at += 4 + length;
    }
  }
  return {
    protocol: VERSIONS[version] ?? hex(version),
    cipher: SUITES[suite] ?? hex(suite),
    group: group === undefined ? undefined : (GROUPS[group] ?? hex(group)),
  };
}

/**
 * A relay on 127.0.0.1 to `targetPort` for one connection. `port` is where the client goes;
 * `hello` resolves with what parseServerHello read, or `{ error }`; close() stops the relay.
 */
export async function serverHelloRelay(targetPort) {
  let settle;
  const hello = new Promise((resolve) => (settle = resolve));
  const sockets = new Set();
  const relay = net.createServer((client) => {
    const server = net.connect({ host: "127.0.0.1", port: targetPort });
    for (const socket of [client, server]) {
      sockets.add(socket);
      socket.on("error", () => {
        client.destroy();
        server.destroy();
      });
    }
    let seen = Buffer.alloc(0);
    const watch = (chunk) => {
      seen = Buffer.concat([seen, chunk]);
      try {
        const found = parseServerHello(seen);
        if (!found) return;
        settle(found);
      } catch (error) {
        settle({ error: error.message });
      }
      server.off("data", watch);
    };
    server.on("data", watch);
    client.pipe(server);
    server.pipe(client);
  });
  await new Promise((resolve, reject) => {
    relay.once("error", reject);
    relay.listen({ host: "127.0.0.1", port: 0 }, resolve);
  });
  return {
    port: relay.address().port,
    hello,
    close() {
      settle({ error: "the client never got a ServerHello" });
      for (const socket of sockets) socket.destroy();
      relay.close();
    },
  };
}
