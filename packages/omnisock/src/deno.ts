export * from "@omnisock/deno";
