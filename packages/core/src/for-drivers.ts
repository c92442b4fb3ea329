// `@omnisock/core/driver`: what a driver is written against — the contract, the normalised
// options it receives, and the helpers for addresses and errors — on top of the user API.
// Users of omnisock never need this entry point.
export * from "./index.js";
export { inetAddress, kernelPath, unixAddress } from "./address.js";
export { createApi } from "./api.js";
export type { Platform } from "./capabilities.js";
export type * from "./driver.js";
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
export type {
  NormalizedBindOptions,
  NormalizedConnectOptions,
  NormalizedListenOptions,
  NormalizedStreamOptions,
  NormalizedTlsClientOptions,
  NormalizedTlsServerOptions,
} from "./options.js";
export { describeValue } from "./check.js";
