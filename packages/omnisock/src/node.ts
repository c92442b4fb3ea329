export * from "@omnisock/node";
