// `npm run release`: version and publish every public package, with npm provenance. It runs in
// CI on a clean checkout of main with the changesets merged: provenance needs the CI's identity
// (GitHub Actions with `permissions: id-token: write`), so a publish from a laptop fails. The
// steps, each of which stops the release if it fails:
//   1. `changeset version`: one new version for the whole fixed group, a CHANGELOG.md entry in
//      each public package, the changesets consumed; private packages keep their version.
//   2. the lockfile and each jsr.json take the new versions (scripts/jsr.mjs --sync);
//   3. a commit "Release <version>", so that the tags land on the released tree;
//   4. `changeset publish`: `npm publish` of each public package npm does not have yet (prepack
//      builds it; publishConfig says public, with provenance) and a git tag for each.
// Then push the commit and its tags: `git push --follow-tags`. JSR is published apart, by
// `deno publish --config jsr.workspace.json`, from the same commit.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const root = new URL("..", import.meta.url);
const run = (command, ...args) =>
  execFileSync(command, args, { cwd: root, stdio: "inherit", shell: false });

if (execFileSync("git", ["status", "--porcelain"], { cwd: root, encoding: "utf8" }).trim()) {
  console.error("release: the working tree has changes; release from a clean checkout of main");
  process.exit(1);
}
run("npx", "changeset", "version");
run("npm", "install", "--package-lock-only", "--no-audit", "--no-fund");
run("node", "scripts/jsr.mjs", "--sync");
const { version } = JSON.parse(
  readFileSync(new URL("packages/omnisock/package.json", root), "utf8"),
);
run("git", "add", "--all");
run("git", "commit", "--message", `Release ${version}`);
run("npx", "changeset", "publish");
console.log(`released ${version}: now git push --follow-tags`);
