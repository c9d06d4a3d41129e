import { Counter, Histogram, Registry } from "prom-client";

import { collectProcessMetrics } from "@vigil/lifecycle";

import type { PrunedCounts } from "@vigil/db";

/** The cleaner's metrics, counted by this process as it prunes. */
export const registry = new Registry();
collectProcessMetrics(registry, "vigil_cleaner_");

const prunedRowsTotal = new Counter({
  name: "vigil_pruned_rows_total",
  help: "Rows this process deleted, by table",
  labelNames: ["table"] as const,
  registers: [registry],
});

const workersMarkedDeadTotal = new Counter({
  name: "vigil_workers_marked_dead_total",
  help: "Workers this process marked dead (heartbeat older than WORKER_STALE_SECONDS)",
  registers: [registry],
});

const passesTotal = new Counter({
  name: "vigil_cleaner_passes_total",
  help: "Cleaning passes this process ran, by result (ok, failed)",
  labelNames: ["result"] as const,
  registers: [registry],
});

const passDuration = new Histogram({
  name: "vigil_cleaner_pass_duration_seconds",
  help: "Duration of one cleaning pass",
  buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600],
  registers: [registry],
});

/** One pass, failed ones too: what a failed pass pruned before it failed stays pruned. */
export function countPass(
  pruned: PrunedCounts,
  durationMs: number,
  failed: boolean,
): void {
  const byTable: Record<string, number> = {
    executions: pruned.executions,
    findings: pruned.findings,
    triggers: pruned.triggers,
    report_outbox: pruned.reports_delivered + pruned.reports_dead,
    workers: pruned.workers,
    maintenance_runs: pruned.maintenance_runs,
    audit_events: pruned.audit_events,
    watchdog_episodes: pruned.watchdog_episodes,
    execution_inputs: pruned.execution_inputs,
  };
  for (const [table, rows] of Object.entries(byTable)) {
    prunedRowsTotal.inc({ table }, rows);
  }
  workersMarkedDeadTotal.inc(pruned.workers_marked_dead);
  passesTotal.inc({ result: failed ? "failed" : "ok" });
  passDuration.observe(durationMs / 1000);
}
