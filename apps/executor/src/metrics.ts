import { Counter, Histogram, Registry } from "prom-client";

import { collectProcessMetrics } from "@vigil/lifecycle";

/**
 * The executor's Prometheus metrics. Each is updated by this process where the work
 * happens, so counters only grow for the life of the process (pruning history in the
 * database never lowers them) and several executors add up under sum().
 */
export const registry = new Registry();
collectProcessMetrics(registry, "vigil_executor_");

/** Run durations, seconds: 50 ms to 30 min. */
const DURATION_BUCKETS = [
  0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800,
];
/** Start lag and short waits, seconds. */
const LAG_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];
/** Single statements and HTTP calls, seconds. */
const QUICK_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export const executionsTotal = new Counter({
  name: "vigil_executions_total",
  help: "Executions this process recorded, by project and outcome",
  labelNames: ["project", "outcome"] as const,
  registers: [registry],
});

export const executionDuration = new Histogram({
  name: "vigil_execution_duration_seconds",
  help: "Duration of the detector runs this process recorded, by outcome",
  labelNames: ["outcome"] as const,
  buckets: DURATION_BUCKETS,
  registers: [registry],
});

export const executionStartLag = new Histogram({
  name: "vigil_execution_start_lag_seconds",
  help: "From a trigger becoming due to this process starting its run",
  buckets: LAG_BUCKETS,
  registers: [registry],
});

export const claimsTotal = new Counter({
  name: "vigil_claims_total",
  help: "Triggers this process claimed",
  registers: [registry],
});

export const claimDuration = new Histogram({
  name: "vigil_claim_duration_seconds",
  help: "Duration of one claim statement (whether it claimed anything)",
  buckets: QUICK_BUCKETS,
  registers: [registry],
});

export const rescuesTotal = new Counter({
  name: "vigil_rescues_total",
  help: "Runs of dead workers this process took back, by what became of the trigger (pending: runs again, quarantined: rescued MAX_RESCUES times) and how the loss was seen (lock: the worker's session ended, lease: its lease expired)",
  labelNames: ["result", "cause"] as const,
  registers: [registry],
});

export const skippedRunsTotal = new Counter({
  name: "vigil_skipped_runs_total",
  help: "Claimed triggers this process skipped instead of running, by reason",
  labelNames: ["reason"] as const,
  registers: [registry],
});

export const reportDeliveriesTotal = new Counter({
  name: "vigil_report_deliveries_total",
  help: "Report delivery attempts this process made, by outcome",
  labelNames: ["outcome"] as const,
  registers: [registry],
});

export const reportDeliveryDuration = new Histogram({
  name: "vigil_report_delivery_duration_seconds",
  help: "Duration of one report delivery attempt, by outcome",
  labelNames: ["outcome"] as const,
  buckets: QUICK_BUCKETS,
  registers: [registry],
});

export const sandboxRunsTotal = new Counter({
  name: "vigil_sandbox_runs_total",
  help: "Detector runs by sandbox layer and whether that layer held",
  labelNames: ["layer", "held"] as const,
  registers: [registry],
});

/** Counts one run's sandbox attestation: each layer once, as held or not. */
export function countSandboxLayers(
  layers: Readonly<Record<string, boolean>>,
): void {
  for (const [layer, held] of Object.entries(layers)) {
    sandboxRunsTotal.inc({ layer, held: held ? "true" : "false" });
  }
}

/** One run this process finished: recorded with its outcome, or `lease_lost` (nothing written). */
export function countExecution(
  projectId: string,
  outcome: string,
  seconds: number,
): void {
  executionsTotal.inc({ project: projectId, outcome });
  executionDuration.observe({ outcome }, seconds);
}

/**
 * The claim statement's skip reasons name projects and deadlines; the label keeps only
 * which rule skipped the run, so its values stay few.
 */
export function skipReasonLabel(reason: string): string {
  if (reason.startsWith("missed its starting deadline")) {
    return "missed_deadline";
  }
  if (reason.endsWith("is inactive")) {
    return "project_inactive";
  }
  if (reason.startsWith("concurrency policy forbid")) {
    return "concurrency_forbid";
  }
  return "other";
}
