// Regenerates the README's capability matrix from each driver's `capabilities`, read by
// running the driver inside its own runtime (a driver refuses to load elsewhere).
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const deno = join(root, "node_modules/.bin/deno");
const columns = [
  ["node 20", process.execPath, ["--input-type=module", "-e"], "@omnisock/node"],
  [
    "node 24",
    join(root, "tools/node24/node_modules/.bin/node"),
    ["--input-type=module", "-e"],
    "@omnisock/node",
  ],
  ["bun", join(root, "node_modules/.bin/bun"), ["-e"], "@omnisock/bun"],
  ["deno --unstable-net", deno, ["eval", "--unstable-net"], "@omnisock/deno"],
  ["deno", deno, ["eval"], "@omnisock/deno"],
];

const { capabilityNames } = await import("@omnisock/core");
const read = ([, command, args, pkg]) =>
  JSON.parse(
    execFileSync(
      command,
      [...args, `import { capabilities } from "${pkg}"; console.log(JSON.stringify(capabilities))`],
      {
        cwd: root,
        encoding: "utf8",
      },
    ),
  );
const values = columns.map(read);
const rows = capabilityNames.map(
  (name) =>
    `| \`${name}\` | ${values.map((capabilities) => (capabilities[name] ? "✅" : "ENOTSUP")).join(" | ")} |`,
);
const table = [
  `| capability | ${columns.map(([label]) => label).join(" | ")} |`,
  `|---|${columns.map(() => "---|").join("")}`,
  ...rows,
].join("\n");

const readme = join(root, "README.md");
const text = readFileSync(readme, "utf8");
const updated = text.replace(
  /(<!-- BEGIN capability matrix -->\n)[\s\S]*?(\n<!-- END capability matrix -->)/,
  `$1${table}$2`,
);
writeFileSync(readme, updated);
console.log(table);
