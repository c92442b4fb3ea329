/**
 * What a driver is written against: the {@link Driver} contract, the normalised options it
 * receives, and the helpers for addresses and errors, on top of everything `@omnisock/core`
 * exports. {@link createApi} turns a driver into the public API.
 *
 * Users of omnisock never need this entry point; it is for the authors of a driver for
 * another runtime, and for omnisock's own adapters.
 *
 * @module @omnisock/core/driver
 */
export * from "./index.js";
export { acceptedLocal, connectedPeer, inetAddress, kernelPath, unixAddress } from "./address.js";
export { createApi } from "./api.js";
export type { Platform } from "./capabilities.js";
export type * from "./driver.js";
export {
  ignoreEvents,
  sinkBorrows,
  sinkClose,
  sinkData,
  sinkDrain,
  sinkEnd,
  tlsCloseLimit,
} from "./driver.js";
export {
  type ErrorContext,
  type NativeDetail,
  nativeCode,
  notSupported,
  type SocketErrorOptions,
  systemError,
  systemErrorCode,
  tlsFailure,
} from "./error.js";
export { answeredAddresses } from "./lookup.js";
export { ipFamily } from "./parse-address.js";
export type {
  NormalizedBindOptions,
  NormalizedConnectOptions,
  NormalizedListenOptions,
  NormalizedStreamOptions,
  NormalizedTlsClientOptions,
  NormalizedTlsServerOptions,
} from "./options.js";
export { describeValue } from "./check.js";
