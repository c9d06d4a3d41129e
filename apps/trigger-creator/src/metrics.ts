import { Counter, Gauge, Registry } from "prom-client";

import { collectProcessMetrics } from "@vigil/lifecycle";

/**
 * The trigger-creator's own metrics, updated by this process (the database-wide gauges
 * are in fleet-metrics.ts).
 */
export const registry = new Registry();
collectProcessMetrics(registry, "vigil_trigger_creator_");

export const triggersCreatedTotal = new Counter({
  name: "vigil_triggers_created_total",
  help: "Trigger rows this process inserted (or revived), catch-up fires included",
  registers: [registry],
});

export const triggersCancelledTotal = new Counter({
  name: "vigil_triggers_cancelled_total",
  help: "Pending triggers this process cancelled (changed, suspended or deleted schedules)",
  registers: [registry],
});

export const materializePassesTotal = new Counter({
  name: "vigil_materialize_passes_total",
  help: "Materialization passes this process ran, by scope (all, changed) and result (ok, failed)",
  labelNames: ["scope", "result"] as const,
  registers: [registry],
});

export const skippedRunsTotal = new Counter({
  name: "vigil_skipped_runs_total",
  help: "Missed fire times this process skipped by their misfire policy (reason misfire; the executors count the claim's skips)",
  labelNames: ["reason"] as const,
  registers: [registry],
});

export const watchdogPassesTotal = new Counter({
  name: "vigil_watchdog_passes_total",
  help: "Watchdog passes this process ran as leader, by result (ok, failed)",
  labelNames: ["result"] as const,
  registers: [registry],
});

export const watchdogEpisodesOpenedTotal = new Counter({
  name: "vigil_watchdog_episodes_opened_total",
  help: "Watchdog episodes this process opened (a schedule with no finished run past its window plus grace), by reason",
  labelNames: ["reason"] as const,
  registers: [registry],
});

interface Observed {
  readonly isLeader: boolean;
  lagSeconds(): number;
}
let observed: Observed | undefined;

/** The creator whose leadership and lag the gauges below read at scrape time. */
export function observeCreator(creator: Observed): void {
  observed = creator;
}

new Gauge({
  name: "vigil_trigger_creator_leader",
  help: "1 while this process holds the leader lock, else 0",
  registers: [registry],
  collect() {
    this.set(observed?.isLeader === true ? 1 : 0);
  },
});

new Gauge({
  name: "vigil_trigger_creator_lag_seconds",
  help: "On the leader: how far the materialized fire times fall short of now + TRIGGER_HORIZON_SECONDS (0: on time; standbys report 0)",
  registers: [registry],
  collect() {
    this.set(observed?.lagSeconds() ?? 0);
  },
});
