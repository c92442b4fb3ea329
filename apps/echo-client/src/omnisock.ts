// The one place that names the library: `omnisock` resolves, by export condition, to the
// driver of the runtime that runs the app, so the same build runs on Node, Bun and Deno.
export * from "omnisock";
