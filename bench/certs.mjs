// The TLS scenarios' throwaway PKI: a test CA and a server certificate for "localhost" and
// 127.0.0.1 that it signed, EC P-256 keys, made with openssl for each run (nothing secret is
// committed, and no certificate ages out). The clients verify against this CA, as users do.
//
//   node certs.mjs <dir>      # writes <dir>/ca.pem, <dir>/cert.pem, <dir>/key.pem
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The name every TLS client asks for and verifies (SNI and the certificate's name). */
export const SERVERNAME = "localhost";

/** Write ca.pem, cert.pem and key.pem into `dir` (made if missing); returns `dir`. */
export function makeCertificates(dir) {
  mkdirSync(dir, { recursive: true });
  const at = (name) => join(dir, name);
  const openssl = (...args) => {
    try {
      execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    } catch (error) {
      const why = error.code === "ENOENT" ? "openssl is not installed" : String(error.stderr);
      throw new Error(`the TLS scenarios need openssl to make their certificates: ${why}`);
    }
  };
  const key = (name) =>
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", at(name));
  key("ca.key");
  openssl(
    "req",
    "-x509",
    "-new",
    "-key",
    at("ca.key"),
    "-sha256",
    "-days",
    "2",
    "-subj",
    "/CN=omnisock bench CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign",
    "-out",
    at("ca.pem"),
  );
  key("key.pem");
  openssl("req", "-new", "-key", at("key.pem"), "-subj", `/CN=${SERVERNAME}`, "-out", at("csr"));
  writeFileSync(
    at("ext"),
    [
      "basicConstraints=CA:FALSE",
      "keyUsage=critical,digitalSignature",
      "extendedKeyUsage=serverAuth",
      `subjectAltName=DNS:${SERVERNAME},IP:127.0.0.1`,
      "",
    ].join("\n"),
  );
  openssl(
    "x509",
    "-req",
    "-in",
    at("csr"),
    "-CA",
    at("ca.pem"),
    "-CAkey",
    at("ca.key"),
    "-CAcreateserial",
    "-days",
    "2",
    "-sha256",
    "-extfile",
    at("ext"),
    "-out",
    at("cert.pem"),
  );
  return dir;
}

// Run as a program (not imported by lib.mjs or run.mjs): make the certificates in argv[2].
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) throw new TypeError("usage: node certs.mjs <dir>");
  console.log(makeCertificates(dir));
}
