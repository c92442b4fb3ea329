// @ts-check
// PostgreSQL's SSLRequest, and the one answer to it that may be taken as a yes: the lone byte
// "S", in a chunk of its own. A byte more is plaintext that someone on the path may have
// injected behind the server's answer, which would otherwise be read as if it had come over TLS
// (CVE-2021-23222). Shared by the hooks (postgres-ssl.js) and the WinterTC client; web APIs only.

/** SSLRequest: length 8, then the code 80877103 where a startup message has its version. */
export const sslRequest = Uint8Array.of(0, 0, 0, 8, 4, 210, 22, 47);

/** Why the server's answer to SSLRequest is refused, or undefined when it is the lone "S". */
export function sslAnswerRefusal(/** @type {Uint8Array} */ answer) {
  if (answer.byteLength === 1 && answer[0] === 0x53) return undefined;
  if (answer[0] === 0x53) {
    return `refusing SSL: ${answer.byteLength - 1} bytes of plaintext followed the server's "S" (CVE-2021-23222)`;
  }
  if (answer[0] === 0x4e) return "the server does not support SSL (it answered SSLRequest with N)";
  return `the server answered SSLRequest with byte 0x${(answer[0] ?? 0).toString(16)}, not "S"`;
}
