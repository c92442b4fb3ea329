// The one place that names the driver. When the `omnisock` package picks the driver by
// runtime (export conditions), this line becomes `export * from "omnisock";`.
export * from "@omnisock/node";
