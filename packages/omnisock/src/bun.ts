export * from "@omnisock/bun";
