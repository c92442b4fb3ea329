// @ts-check
/**
 * The runtime this process is: "bun", "deno", or "node<major>" ("node20", "node24").
 * @type {string}
 */
export const runtime =
  "Bun" in globalThis
    ? "bun"
    : "Deno" in globalThis
      ? "deno"
      : `node${process.versions.node.split(".")[0]}`;
