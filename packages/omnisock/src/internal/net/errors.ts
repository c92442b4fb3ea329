// node:net's own error codes for what the shim checks itself, so that code written against
// node:net (`err.code === "ERR_SOCKET_BAD_PORT"`) reads them unchanged. Network failures are
// omnisock's SocketError, which carries node's codes (`ECONNREFUSED`, …) already.
import { describeValue } from "@omnisock/core/driver";

type NodeError<Base extends Error> = Base & { readonly code: string };

function nodeError<Base extends Error>(
  Kind: new (message: string) => Base,
  code: string,
  message: string,
): NodeError<Base> {
  const error = new Kind(message) as NodeError<Base>;
  Object.defineProperty(error, "code", { value: code, enumerable: true });
  return error;
}

export function invalidArgType(name: string, expected: string, value: unknown) {
  return nodeError(
    TypeError,
    "ERR_INVALID_ARG_TYPE",
    `The "${name}" argument must be ${expected}. Received ${describeValue(value)}`,
  );
}

export function outOfRange(name: string, range: string, value: unknown) {
  return nodeError(
    RangeError,
    "ERR_OUT_OF_RANGE",
    `The value of "${name}" is out of range. It must be ${range}. Received ${describeValue(value)}`,
  );
}

export function badPort(name: string, value: unknown) {
  return nodeError(
    RangeError,
    "ERR_SOCKET_BAD_PORT",
    `${name} should be >= 0 and < 65536. Received ${describeValue(value)}.`,
  );
}

export function missingArgs() {
  return nodeError(
    TypeError,
    "ERR_MISSING_ARGS",
    'The "options" or "port" or "path" argument must be specified',
  );
}

export function closedBeforeConnection() {
  return nodeError(
    Error,
    "ERR_SOCKET_CLOSED_BEFORE_CONNECTION",
    "Socket closed before the connection was established",
  );
}

export function socketClosed() {
  return nodeError(Error, "ERR_SOCKET_CLOSED", "Socket is closed");
}

export function alreadyConnecting() {
  return nodeError(Error, "ERR_SOCKET_CONNECTING", "Socket is already connecting");
}

/** What node:net says to a write after the peer's FIN, when the socket is not half-open. */
export function endedByPeer() {
  return nodeError(Error, "EPIPE", "This socket has been ended by the other party");
}
