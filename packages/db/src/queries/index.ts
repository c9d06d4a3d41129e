// Every query of @vigil/db, by the table it serves: one statement per file under
// ./<table>/<verb>.ts, listed in ./<table>/index.ts. The package's front door (../index.ts)
// re-exports all of it.
export * from "./alert-states/index.js";
export * from "./api-tokens/index.js";
export * from "./audit/index.js";
export * from "./backfills/index.js";
export * from "./datasets/index.js";
export * from "./discrepancies/index.js";
export * from "./dry-run-requests/index.js";
export * from "./execution-inputs/index.js";
export * from "./executions/index.js";
export * from "./findings/index.js";
export * from "./maintenance-runs/index.js";
export * from "./projects/index.js";
export * from "./queue/index.js";
export * from "./report-digests/index.js";
export * from "./report-outbox/index.js";
export * from "./rules/index.js";
export * from "./schedules/index.js";
export * from "./status/index.js";
export * from "./triggers/index.js";
export * from "./watchdog-episodes/index.js";
export * from "./workers/index.js";
