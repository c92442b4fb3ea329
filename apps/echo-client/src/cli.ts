// What both command lines share: flags, error text and a clean exit. Only web APIs,
// `node:util` parseArgs and `process`, which Node, Bun and Deno all provide.
import { parseArgs } from "node:util";
import { SocketError } from "./omnisock.js";

/** A bad flag: the command prints the message and a pointer to --help, and exits with 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** An integer flag within [min, max], or `fallback` when it is absent. */
export function integerFlag(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (value.trim() === "" || !Number.isInteger(number) || number < min || number > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, not "${value}"`);
  }
  return number;
}

/** One line for an error: the stable code first when there is one. */
export function describeError(error: unknown): string {
  if (error instanceof SocketError) return `${error.code} ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** Exit once stdout has taken everything written so far (a pipe may still be draining). */
export async function exit(code: number): Promise<never> {
  await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  process.exit(code);
}

/** Run a command's main: a usage error exits 2, any other failure 1. */
export function run(main: () => Promise<number>, usage: string): void {
  main().then(exit, (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${usage}`);
      return exit(2);
    }
    process.stderr.write(`error: ${describeError(error)}\n`);
    return exit(1);
  });
}

type ParseArgsConfig = NonNullable<Parameters<typeof parseArgs>[0]>;

/** `parseArgs` over the command's own arguments; a bad flag becomes a UsageError. */
export function parseFlags<const Config extends ParseArgsConfig>(config: Config) {
  try {
    return parseArgs({ ...config, args: process.argv.slice(2), strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
