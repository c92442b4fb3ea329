// The "node" condition's entry, which is also where Deno's require() lands: Deno resolves
// require() with Node's conditions ("require", "node"), never "deno"
// (https://github.com/denoland/deno/issues/29970). The driver comes through `#driver`
// (package.json "imports"), which every runtime resolves as an import, with its own
// condition: Node gets @omnisock/node, and Deno, even here, @omnisock/deno.
export * from "#driver";
