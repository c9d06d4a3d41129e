import { sql } from "kysely";

import type { Db } from "../../pool.js";
import { toJson } from "../../tables/common.js";
import type { MaintenanceRunRow } from "../../tables/maintenance-runs.js";

/** Rows removed in one pass, per table (the `pruned` jsonb of maintenance_runs). */
export interface PrunedCounts {
  executions: number;
  /** Counted from the deleted executions' findings_count; removed by the cascade. */
  findings: number;
  triggers: number;
  reports_delivered: number;
  reports_dead: number;
  workers_marked_dead: number;
  workers: number;
  maintenance_runs: number;
  /** The oldest rows of the audit chain, past RETENTION_AUDIT_DAYS. */
  audit_events: number;
  /** Closed watchdog episodes, as old as the cleaner's own history (RETENTION_MAX_AGE_DAYS). */
  watchdog_episodes: number;
  /** Kept execution inputs whose rows were dropped (EXECUTION_INPUT_RETENTION_DAYS, EXECUTION_INPUT_TOTAL_MB). */
  execution_inputs: number;
}

/** Opens the record of a pass (finished_at null until `finishMaintenanceRun`); returns its id. */
export async function startMaintenanceRun(
  db: Db,
  { workerId }: { workerId: string | null },
): Promise<number> {
  const row = await db
    .insertInto("maintenance_runs")
    .values({
      worker_id: workerId,
      kind: "retention",
      started_at: sql<Date>`now()`,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Closes the record of a pass with what it pruned, its duration and, if it failed, why. */
export async function finishMaintenanceRun(
  db: Db,
  {
    id,
    pruned,
    durationMs,
    error,
  }: {
    id: number;
    pruned: PrunedCounts;
    durationMs: number;
    error?: string | null;
  },
): Promise<MaintenanceRunRow | undefined> {
  return db
    .updateTable("maintenance_runs")
    .set({
      finished_at: sql<Date>`now()`,
      duration_ms: Math.round(durationMs),
      pruned: toJson(pruned),
      error: error ?? null,
    })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
}
