// What both command lines share: flags, error text and a clean exit. Only web APIs,
// `node:fs`, `node:util` parseArgs and `process`, which Node, Bun and Deno all provide.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

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

/** One line for an error. A SocketError's message starts with its stable code. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A flag: a string value (`--port 7000`), or a switch (`--udp`), which is `false` when absent;
 * `short` is its one-letter form (`-h`).
 */
export type FlagSpec =
  | { readonly type: "string"; readonly default?: string; readonly short?: string }
  | { readonly type: "boolean"; readonly short?: string };

/** The parsed flags, typed from their specs. */
export type Flags<Specs extends Record<string, FlagSpec>> = {
  readonly [Name in keyof Specs]: Specs[Name] extends { type: "boolean" }
    ? boolean
    : Specs[Name] extends { default: string }
      ? string
      : string | undefined;
};

/** `parseArgs` over the command's own arguments, strictly; a bad flag becomes a UsageError. */
export function parseFlags<const Specs extends Record<string, FlagSpec>>(
  specs: Specs,
): Flags<Specs> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      options: specs,
      args: process.argv.slice(2),
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.type === "boolean") values[name] ??= false;
  }
  return values as Flags<Specs>;
}

/**
 * The version of the package a command belongs to, from its package.json: `from` is the
 * command's `import.meta.url`, one directory below the package (dist/ when built, src/ in tests).
 */
export function packageVersion(from: string): string {
  const manifest: unknown = JSON.parse(readFileSync(new URL("../package.json", from), "utf8"));
  const version = (manifest as { version?: unknown }).version;
  return typeof version === "string" ? version : "unknown";
}

/** Exit once stdout has taken everything written so far (a pipe may still be draining). */
export async function exit(code: number): Promise<never> {
  await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  process.exit(code);
}

/** Run a command's main and exit with its code: 2 for a usage error, 1 for any other failure. */
export function run(main: () => Promise<number>): void {
  main().then(exit, (error: unknown) => {
    const usage = error instanceof UsageError;
    process.stderr.write(
      usage
        ? `${error.message}\nRun with --help for the options.\n`
        : `error: ${describeError(error)}\n`,
    );
    return exit(usage ? 2 : 1);
  });
}
