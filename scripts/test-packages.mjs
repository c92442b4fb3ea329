// The packages as a user gets them. Packs every public package (its prepack builds it, so each
// dist is removed first), checks each tarball's files against an allow-list and its
// package.json against the root's, lints the tarballs (publint, @arethetypeswrong/cli),
// installs them into a fresh project from the tarballs alone (offline, no workspace link) and
// there, on Node 20, Node 24, Bun and Deno: a TCP, UDP and Unix echo; a CommonJS and an ES
// module consumer in one process seeing one monitor; the two commands; every `js` example of
// the READMEs. Then `tsc` of a consumer under `module: nodenext` and `moduleResolution:
// bundler`. Ends with one line, `packages: ok` or `packages: N failed`, and its duration.
//
//   node scripts/test-packages.mjs [--keep]     (--keep leaves the scratch directory)
import { spawn } from "node:child_process";
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const started = performance.now();
const keep = process.argv.includes("--keep");
const scratch = mkdtempSync(join(tmpdir(), "omnisock-packages-"));
const tarballs = join(scratch, "tarballs");
const app = join(scratch, "app");
const failures = [];

const readJson = (path) => JSON.parse(readFileSync(path, "utf8"));
// A missing file is reported once, by the allow-list check.
const readIfThere = (path) => (existsSync(path) ? readFileSync(path, "utf8") : "");
const tool = (name) => join(root, "node_modules/.bin", name);

function pass(line) {
  console.log(line);
}
function fail(line, detail = "") {
  failures.push(line);
  console.log(`FAIL ${line}${detail ? `\n${detail.trimEnd().replace(/^/gm, "  ")}` : ""}`);
}

/** Run a command to its end; never rejects. `timeout` kills it (and says so in `stderr`). */
function exec(command, args, { cwd = app, env = process.env, timeout = 60_000, tty } = {}) {
  // A terminal for the command: util-linux `script` runs it on a pseudo-terminal.
  if (tty) {
    const line = [command, ...args].map((word) => `'${word.replaceAll("'", `'\\''`)}'`).join(" ");
    [command, args] = ["script", ["-qec", line, "/dev/null"]];
  }
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${timeout} ms)`;
      child.kill("SIGKILL");
    }, timeout);
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ ok: false, status: error.message, stdout, stderr });
    });
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({ ok: status === 0, status: status ?? signal, stdout, stderr });
    });
  });
}

/** At most `limit` of `tasks` (functions returning promises) at once, results in order. */
async function limited(limit, tasks) {
  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]();
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

// --- the public packages --------------------------------------------------------------------
const rootManifest = readJson(join(root, "package.json"));
const packages = rootManifest.workspaces
  .flatMap((pattern) =>
    pattern.endsWith("/*")
      ? readdirSync(join(root, pattern.slice(0, -2))).map(
          (name) => `${pattern.slice(0, -1)}${name}`,
        )
      : [pattern],
  )
  .filter((dir) => existsSync(join(root, dir, "package.json")))
  .map((dir) => ({ dir, manifest: readJson(join(root, dir, "package.json")) }))
  .filter(({ manifest }) => !manifest.private);

// --- pack -----------------------------------------------------------------------------------
for (const { dir } of packages) rmSync(join(root, dir, "dist"), { recursive: true, force: true });
mkdirSync(tarballs);
const packed = await exec(
  "npm",
  [
    "pack",
    "--json",
    "--pack-destination",
    tarballs,
    ...packages.flatMap(({ dir }) => ["--workspace", dir]),
  ],
  { cwd: root, timeout: 15 * 60_000, env: { ...process.env, npm_config_loglevel: "error" } },
);
// The prepack scripts (turbo) write to stdout before npm's JSON.
const packJson = packed.ok ? packed.stdout.slice(packed.stdout.search(/^\[$/m)) : "";
if (!packJson) {
  fail("pack", packed.stdout + packed.stderr);
  finish();
}
for (const entry of JSON.parse(packJson)) {
  const found = packages.find(({ manifest }) => manifest.name === entry.name);
  found.tarball = join(tarballs, entry.filename);
  found.files = entry.files.map(({ path }) => path);
  found.size = entry.size;
}
const fileCount = packages.reduce((sum, { files }) => sum + files.length, 0);
const packedSize = packages.reduce((sum, { size }) => sum + size, 0);
pass(
  `pack: ${packages.length} tarballs, ${fileCount} files, ${(packedSize / 1000).toFixed(1)} kB, ` +
    `each dist built by its prepack (${packages.map(({ manifest }) => manifest.name).join(", ")})`,
);

// --- files: what users need and nothing else --------------------------------------------------
const allowed = /^(package\.json|README\.md|LICENSE|dist\/[\w./-]+\.(js|d\.ts))$/;
const required = ["package.json", "README.md", "LICENSE"];
/** Every file the manifest points at: exports, types, bin. */
function targets(manifest) {
  const found = [];
  const walk = (value) => {
    if (typeof value === "string") {
      if (value.startsWith("./")) found.push(value.slice(2));
    } else if (value && typeof value === "object") Object.values(value).forEach(walk);
  };
  walk(manifest.exports);
  walk(manifest.types);
  walk(manifest.bin);
  return found;
}
let filesOk = true;
for (const { manifest, files } of packages) {
  const stray = files.filter((file) => !allowed.test(file));
  const missing = [...required, ...targets(manifest)].filter((file) => !files.includes(file));
  if (stray.length > 0 || missing.length > 0) {
    filesOk = false;
    fail(
      `files ${manifest.name}`,
      [...stray.map((f) => `not allowed: ${f}`), ...missing.map((f) => `missing: ${f}`)].join("\n"),
    );
  }
}
if (filesOk) {
  pass(
    "files: every tarball holds package.json, README.md, LICENSE and dist/**/*.js, *.d.ts alone, " +
      "with every file its exports, types and bin name",
  );
}

// --- publint and attw, on the tarballs ---------------------------------------------------------
const lints = await limited(
  2,
  packages.flatMap(({ manifest, tarball }) => [
    async () => {
      // publint colours its verdict even into a pipe when CI is set.
      const env = { ...process.env, NO_COLOR: "1" };
      const result = await exec(tool("publint"), [tarball, "--strict"], { cwd: scratch, env });
      const verdict = result.stdout.split("Linting...\n")[1]?.trim() ?? "";
      return result.ok
        ? () => pass(`publint ${manifest.name}: ${verdict}`)
        : () => fail(`publint ${manifest.name}`, result.stdout + result.stderr);
    },
    async () => {
      // An ES module package: node10 resolution (no "exports") and node16 from CommonJS (which
      // TypeScript before 5.8 types as dynamic import only) are not the ways to load it.
      if (!manifest.exports) {
        return () =>
          pass(`attw ${manifest.name}: no exports, a command only (${Object.keys(manifest.bin)})`);
      }
      const args = [tarball, "--profile", "esm-only", "--format", "json"];
      const result = await exec(tool("attw"), args, { cwd: scratch });
      if (!result.ok) {
        const table = await exec(tool("attw"), [tarball, "--profile", "esm-only"], {
          cwd: scratch,
        });
        return () => fail(`attw ${manifest.name}`, table.stdout + table.stderr);
      }
      const { analysis } = JSON.parse(result.stdout);
      const entrypoints = Object.keys(analysis.entrypoints).filter((e) => e !== "./package.json");
      return () =>
        pass(
          `attw ${manifest.name} (profile esm-only): ${entrypoints.join(", ")} resolve with ` +
            `types under node16 (from ESM) and bundler, no problems`,
        );
    },
  ]),
);
for (const report of lints) report();

// --- a fresh project, from the tarballs alone --------------------------------------------------
mkdirSync(app);
writeFileSync(
  join(app, "package.json"),
  JSON.stringify({ name: "omnisock-consumer", private: true, type: "module" }, null, 2),
);
const installed = await exec(
  "npm",
  [
    "install",
    "--offline",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    ...packages.map(({ tarball }) => tarball),
  ],
  { cwd: app, timeout: 5 * 60_000 },
);
if (!installed.ok) {
  fail("install", installed.stdout + installed.stderr);
  finish();
}
const links = packages.filter(({ manifest }) =>
  lstatSync(join(app, "node_modules", manifest.name)).isSymbolicLink(),
);
if (links.length > 0) fail(`install: linked, not installed: ${links.map((p) => p.manifest.name)}`);
else pass(`install: ${packages.length} tarballs into a fresh project, offline, no links`);
cpSync(join(root, "scripts/consumer"), app, { recursive: true });

// --- manifests: one version, and what the root says about the project -------------------------
const license = readFileSync(join(root, "LICENSE"), "utf8");
const { version } = packages[0].manifest;
const repository = rootManifest.repository.url;
const web = repository.replace(/^git\+/, "").replace(/\.git$/, "");
let manifestsOk = true;
for (const { dir, manifest: source } of packages) {
  const where = join(app, "node_modules", source.name);
  const manifest = readJson(join(where, "package.json"));
  const problems = [
    manifest.version !== version && `version ${manifest.version}, not ${version} (one fixed group)`,
    manifest.license !== "MIT" && `license ${manifest.license}`,
    readIfThere(join(where, "LICENSE")) !== license && "LICENSE differs from the root's",
    manifest.engines?.node !== rootManifest.engines.node &&
      `engines.node ${manifest.engines?.node}, not ${rootManifest.engines.node}`,
    manifest.type !== "module" && "type is not module",
    !manifest.description && "no description",
    !(manifest.keywords?.length > 0) && "no keywords",
    manifest.repository?.url !== repository && `repository.url ${manifest.repository?.url}`,
    manifest.repository?.directory !== dir &&
      `repository.directory ${manifest.repository?.directory}`,
    manifest.bugs !== rootManifest.bugs && `bugs ${manifest.bugs}`,
    !manifest.homepage?.startsWith(web) && `homepage ${manifest.homepage}`,
    (manifest.publishConfig?.access !== "public" || manifest.publishConfig?.provenance !== true) &&
      "publishConfig is not { access: public, provenance: true }",
    ...Object.entries(manifest.dependencies ?? {})
      .filter(
        ([name, range]) => packages.some((p) => p.manifest.name === name) && range !== version,
      )
      .map(([name, range]) => `depends on ${name}@${range}, not ${version}`),
  ].filter(Boolean);
  if (problems.length > 0) {
    manifestsOk = false;
    fail(`manifest ${source.name}`, problems.join("\n"));
  }
}
if (manifestsOk) {
  pass(
    `manifests: version ${version} everywhere, MIT with the root's LICENSE, engines node ` +
      `${rootManifest.engines.node}, repository ${web} with each directory, bugs, homepage, ` +
      "keywords, publishConfig with provenance",
  );
}

// --- every public function is in the README ---------------------------------------------------
const readme = readFileSync(join(root, "README.md"), "utf8");
const consumerRequire = createRequire(join(app, "package.json"));
const unmentioned = ["omnisock", "omnisock/net", "omnisock/sockets"].flatMap((entry) =>
  Object.entries(consumerRequire(entry))
    .filter(
      ([name, value]) => typeof value === "function" && !new RegExp(`\\b${name}\\b`).test(readme),
    )
    .map(([name]) => `${entry}: ${name}`),
);
if (unmentioned.length > 0) fail("README: functions it never mentions", unmentioned.join("\n"));
else
  pass(
    "README: mentions every function and class omnisock, omnisock/net and omnisock/sockets export",
  );

// --- on every runtime ----------------------------------------------------------------------------
const node24 = join(root, "tools/node24/node_modules/.bin/node");
const bun = tool("bun");
const deno = tool("deno");
/** `bin(package, command)`: how a user of that runtime runs a package's command. */
const runtimes = [
  { label: "node 20", name: "node", run: [process.execPath], path: dirname(process.execPath) },
  { label: "node 24", name: "node", run: [node24], path: dirname(node24) },
  { label: "bun", name: "bun", run: [bun], bin: (pkg) => [bun, "x", "--bun", pkg] },
  {
    label: "deno",
    name: "deno",
    run: [deno, "run", "-A", "--unstable-net"],
    bin: (pkg) => [deno, "run", "-A", "--unstable-net", `npm:${pkg}`],
  },
];
for (const runtime of runtimes) {
  // On Node a command is its file in node_modules/.bin, run by the `node` its shebang finds.
  runtime.bin ??= (_, command) => [join(app, "node_modules/.bin", command)];
  runtime.env = runtime.path
    ? { ...process.env, PATH: `${runtime.path}:${process.env.PATH}` }
    : process.env;
}

/** The `js` code blocks of a README, each a whole program. */
const examples = (markdown) =>
  [...markdown.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((match) => match[1]);
// Which runtimes run a README's examples: a driver's on its runtime, the rest everywhere.
const readmes = [
  { name: "README.md", text: readme, runtimes: ["node", "bun", "deno"] },
  ...packages.map(({ manifest }) => ({
    name: `${manifest.name}/README.md`,
    text: readIfThere(join(app, "node_modules", manifest.name, "README.md")),
    runtimes: { "@omnisock/node": ["node"], "@omnisock/bun": ["bun"], "@omnisock/deno": ["deno"] }[
      manifest.name
    ] ?? ["node", "bun", "deno"],
  })),
];
mkdirSync(join(app, "examples"));
for (const entry of readmes) {
  entry.files = examples(entry.text).map((code, index) => {
    const file = join(app, "examples", `${entry.name.replace(/\W+/g, "-")}-${index + 1}.mjs`);
    writeFileSync(file, code);
    return { file, code, label: `${entry.name} example ${index + 1}` };
  });
}

async function onRuntime(runtime) {
  const lines = [];
  const problems = [];
  const run = (args, options) =>
    exec(runtime.run[0], [...runtime.run.slice(1), ...args], { env: runtime.env, ...options });
  const check = (label, result, expect = () => true) => {
    if (result.ok && expect(result.stdout)) return true;
    problems.push(`${label}: exit ${result.status}\n${result.stdout}${result.stderr}`);
    return false;
  };

  // The library, loaded and used as a user would.
  const echo = await run(["echo.mjs"]);
  const monitor = await run(["one-monitor.mjs"]);
  if (check("echo.mjs", echo) && check("one-monitor.mjs", monitor)) {
    lines.push(echo.stdout.trim(), monitor.stdout.trim());
  }

  // The commands.
  const commands = await runCommands(runtime, check);
  if (commands) lines.push(commands);

  // The READMEs' examples. Node 20 cannot parse `await using`; the README says so.
  let ran = 0;
  for (const entry of readmes.filter(({ runtimes }) => runtimes.includes(runtime.name))) {
    for (const { file, code, label } of entry.files) {
      if (runtime.label === "node 20" && code.includes("await using")) continue;
      // A part of a program (it needs a certificate or a server) belongs in a `ts` block.
      const hint = `${label} (a js block is a whole program, run on every runtime; a part goes in a ts block)`;
      if (check(hint, await run([file], { timeout: 30_000 }))) ran++;
    }
  }
  lines.push(`${ran} README examples run`);
  return { runtime, lines, problems };
}

/** The two commands: --version, -h, a server on every transport, a client load on each. */
async function runCommands(runtime, check) {
  const server = (...args) =>
    runtime.bin("@omnisock/echo-server", "omnisock-echo-server").concat(args);
  const client = (...args) =>
    runtime.bin("@omnisock/echo-client", "omnisock-echo-client").concat(args);
  const options = { env: runtime.env, timeout: 30_000 };
  const command = (argv, extra) => exec(argv[0], argv.slice(1), { ...options, ...extra });
  let ok = true;
  for (const [name, argv] of [
    ["omnisock-echo-server", server],
    ["omnisock-echo-client", client],
  ]) {
    const expected = `${name} ${version} (${runtime.name})\n`;
    ok &&= check(`${name} --version`, await command(argv("--version")), (out) => out === expected);
    ok &&= check(`${name} -h`, await command(argv("-h")), (out) =>
      out.startsWith(`Usage: ${name}`),
    );
  }

  const path = join(scratch, `echo-${runtime.label.replace(/\W+/g, "-")}.sock`);
  const [file, ...args] = server("--port", "0", "--unix", path, "--duration", "120");
  const child = spawn(file, args, {
    cwd: app,
    env: runtime.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.on("close", (status) => resolve(status)));
  const listening = (transport) =>
    output.match(new RegExp(`^listen #\\d+ ${transport} (\\S+)$`, "m"));
  const deadline = Date.now() + 30_000;
  while (!(listening("tcp") && listening("udp") && listening("unix")) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  try {
    if (!listening("unix")) {
      check("omnisock-echo-server", {
        ok: false,
        status: "no listen lines",
        stdout: output,
        stderr: "",
      });
      return undefined;
    }
    const port = (transport) => listening(transport)[1].split(":").pop();
    const load = ["--connections", "2", "--messages", "50", "--size", "32"];
    const quiet = (out) => /result\s+ok/.test(out) && !out.includes("\r");
    for (const [transport, target] of [
      ["tcp", ["--port", port("tcp")]],
      ["udp", ["--udp", "--port", port("udp")]],
      ["unix", ["--unix", path]],
    ]) {
      ok &&= check(
        `omnisock-echo-client ${transport}`,
        await command(client(...target, ...load)),
        quiet,
      );
    }
    // On a terminal, and only there, a progress line, rewritten in place.
    const progress = (out) =>
      /messages echoed/.test(out) && out.includes("\x1b[K") && /result\s+ok/.test(out);
    const onTty = await command(client("--port", port("tcp"), ...load), { tty: true });
    ok &&= check("omnisock-echo-client on a terminal", onTty, progress);
  } finally {
    child.kill("SIGTERM");
  }
  const status = await exited;
  ok &&= check(
    "omnisock-echo-server on SIGTERM",
    { ok: status === 0, status, stdout: output, stderr: "" },
    (out) => out.includes("stopping: SIGTERM"),
  );
  return ok
    ? "commands: --version, -h, echo server on tcp+udp+unix, client load on each, progress on a terminal only"
    : undefined;
}

const results = await Promise.all(runtimes.map(onRuntime));
for (const { runtime, lines, problems } of results) {
  if (problems.length === 0) pass(`${runtime.label}: ${lines.join("; ")}`);
  else
    for (const problem of problems)
      fail(`${runtime.label}: ${problem.split("\n")[0]}`, problem.split("\n").slice(1).join("\n"));
}

// --- types, as a TypeScript user compiles them ---------------------------------------------------
const tsc = join(root, "node_modules/typescript/bin/tsc");
const typeRoots = [join(root, "node_modules/@types")];
const compiles = await Promise.all(
  ["nodenext", "bundler"].map(async (mode) => {
    // @types/node comes from the repository: the fresh project has only the tarballs.
    const config = join(app, `tsconfig.${mode}.json`);
    const json = readJson(config);
    json.compilerOptions.typeRoots = typeRoots;
    writeFileSync(config, JSON.stringify(json, null, 2));
    return [mode, json.files, await exec(process.execPath, [tsc, "-p", config])];
  }),
);
for (const [mode, files, result] of compiles) {
  if (result.ok) pass(`tsc ${mode}: ${files.join(", ")} compile, strict, without skipLibCheck`);
  else fail(`tsc ${mode}`, result.stdout + result.stderr);
}

finish();

function finish() {
  if (!keep) rmSync(scratch, { recursive: true, force: true });
  else console.log(`scratch: ${scratch}`);
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  console.log(
    failures.length === 0
      ? `packages: ok in ${seconds} s`
      : `packages: ${failures.length} failed in ${seconds} s`,
  );
  process.exit(failures.length === 0 ? 0 : 1);
}
