// The JSR packages (jsr.workspace.json): `node scripts/jsr.mjs` checks that each jsr.json has
// its package.json's name, license and version, then runs `deno publish --dry-run` over them,
// offline; `node scripts/jsr.mjs --sync` copies each package.json's version into its jsr.json,
// for the release's version step (changesets bumps package.json only).
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const workspace = "jsr.workspace.json";
// Deno reads its config as JSONC; this one has whole-line comments only.
const members = JSON.parse(
  readFileSync(join(root, workspace), "utf8").replace(/^\s*\/\/.*$/gm, ""),
).workspace;
const sync = process.argv.includes("--sync");

let drifted = false;
for (const member of members) {
  const jsrPath = join(root, member, "jsr.json");
  const jsrText = readFileSync(jsrPath, "utf8");
  const jsr = JSON.parse(jsrText);
  const npm = JSON.parse(readFileSync(join(root, member, "package.json"), "utf8"));
  for (const field of ["name", "license"]) {
    if (jsr[field] === npm[field]) continue;
    console.error(`${member}: jsr.json's ${field} is ${jsr[field]}, package.json's ${npm[field]}`);
    drifted = true;
  }
  if (jsr.version === npm.version) continue;
  if (sync) {
    // Only the version line changes, so the file keeps its formatting.
    writeFileSync(
      jsrPath,
      jsrText.replace(/("version":\s*)"[^"]*"/, `$1${JSON.stringify(npm.version)}`),
    );
    console.log(`${member}/jsr.json: ${jsr.version} -> ${npm.version}`);
  } else {
    console.error(
      `${member}: jsr.json has version ${jsr.version}, package.json ${npm.version}: run node scripts/jsr.mjs --sync`,
    );
    drifted = true;
  }
}
if (drifted) process.exit(1);
if (sync) process.exit(0);

// --allow-dirty: this checks what would be published, not whether it is committed.
const result = spawnSync(
  join(root, "node_modules/.bin/deno"),
  ["publish", "--dry-run", "--allow-dirty", "--config", workspace],
  { cwd: root, stdio: "inherit" },
);
process.exit(result.status ?? 1);
