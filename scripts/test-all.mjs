// Runs every test on every runtime and ends with one line `N passed, N failed, N skipped`
// totalled over all of them. Each runtime runs vitest in its own process, so the suite
// really executes inside that runtime.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const vitest = join(root, "node_modules/vitest/vitest.mjs");
const bin = (path) => join(root, path);

// [label, command, args before vitest's, vitest root, test files]
const runs = [
  ["core · node 20", process.execPath, [], "packages/core", []],
  ["echo apps · node 20", process.execPath, [], "apps/echo-server", []],
  ["echo client · node 20", process.execPath, [], "apps/echo-client", []],
  ["conformance · node 20", process.execPath, [], "packages/conformance", ["test/node.test.ts"]],
  [
    "conformance · node 24",
    bin("tools/node24/node_modules/.bin/node"),
    [],
    "packages/conformance",
    ["test/node.test.ts"],
  ],
  [
    "conformance · bun",
    bin("node_modules/.bin/bun"),
    ["--bun"],
    "packages/conformance",
    ["test/bun.test.ts"],
  ],
  // UDP on Deno needs --unstable-net (Deno.listenDatagram is unstable).
  [
    "conformance · deno",
    bin("node_modules/.bin/deno"),
    ["run", "-A", "--unstable-net"],
    "packages/conformance",
    ["test/deno.test.ts"],
  ],
  // `omnisock` resolves to the running runtime's driver by export condition; its
  // compatibility entries (omnisock/net, omnisock/sockets) run their suites here too.
  ["omnisock · node 20", process.execPath, [], "packages/omnisock", []],
  ["omnisock · node 24", bin("tools/node24/node_modules/.bin/node"), [], "packages/omnisock", []],
  ["omnisock · bun", bin("node_modules/.bin/bun"), ["--bun"], "packages/omnisock", []],
  ["omnisock · deno", bin("node_modules/.bin/deno"), ["run", "-A"], "packages/omnisock", []],
  // Real drivers against real servers (PostgreSQL, Redis, MariaDB, an MQTT broker), each
  // through its own socket hook; every file starts and stops its server.
  ["drivers · node 20", process.execPath, [], "packages/drivers", []],
  ["drivers · node 24", bin("tools/node24/node_modules/.bin/node"), [], "packages/drivers", []],
  ["drivers · bun", bin("node_modules/.bin/bun"), ["--bun"], "packages/drivers", []],
  ["drivers · deno", bin("node_modules/.bin/deno"), ["run", "-A"], "packages/drivers", []],
  // Every runtime against every other, as child processes that Node drives.
  ["interop · node × bun × deno", process.execPath, [], "packages/conformance/interop", []],
];

const only = process.argv.slice(2);
const selected = only.length
  ? runs.filter(([label]) => only.some((word) => label.includes(word)))
  : runs;
const scratch = mkdtempSync(join(tmpdir(), "omnisock-test-"));
const totals = { passed: 0, failed: 0, skipped: 0 };
const lines = [];
let broken = false;

for (const [label, command, pre, dir, files] of selected) {
  if (!existsSync(command)) {
    lines.push(`${label}: runtime missing (${command}); run npm ci`);
    broken = true;
    continue;
  }
  const report = join(scratch, `${label.replace(/\W+/g, "-")}.json`);
  console.log(`\n=== ${label}`);
  const result = spawnSync(
    command,
    [
      ...pre,
      vitest,
      "run",
      "--root",
      join(root, dir),
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${report}`,
      ...files,
    ],
    { stdio: "inherit", cwd: root, timeout: 15 * 60_000 },
  );
  if (!existsSync(report)) {
    lines.push(`${label}: no report (exit ${result.status ?? result.signal})`);
    broken = true;
    continue;
  }
  const json = JSON.parse(readFileSync(report, "utf8"));
  const counts = {
    passed: json.numPassedTests,
    failed: json.numFailedTests,
    skipped: json.numPendingTests + json.numTodoTests,
  };
  // A crash outside any test (an unhandled rejection, a failed file) fails the run too.
  if (result.status !== 0 && counts.failed === 0) {
    broken = true;
    lines.push(`${label}: exit ${result.status ?? result.signal} with no failed test`);
  }
  for (const key of Object.keys(totals)) totals[key] += counts[key];
  lines.push(
    `${label}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`,
  );
}
rmSync(scratch, { recursive: true, force: true });

console.log(`\n${lines.join("\n")}`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(broken || totals.failed > 0 || totals.passed === 0 ? 1 : 0);
