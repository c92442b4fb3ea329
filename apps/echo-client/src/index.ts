// What other packages use: the load generator (the echo-server demo runs it), and the
// formatting and command-line helpers both apps share.
export {
  formatProgress,
  formatReport,
  type LoadOptions,
  type LoadProgress,
  type LoadReport,
  runLoad,
} from "./load.js";
export { formatBytes, formatCount, formatDuration, formatEndpoint, plural } from "./format.js";
export {
  describeError,
  exit,
  type FlagSpec,
  type Flags,
  integerFlag,
  packageVersion,
  parseFlags,
  run,
  UsageError,
} from "./cli.js";
