import { sql } from "kysely";

import type { Db } from "../../pool.js";

/**
 * Why a run was skipped, from the reason its skipper wrote: `misfire` (the trigger-creator's
 * misfire policy, "missed: ..."), and the claim's `missed_deadline`, `concurrency_forbid` and
 * `project_inactive` (the labels of the executor's `vigil_skipped_runs_total`).
 */
export const SKIP_REASONS = [
  "misfire",
  "missed_deadline",
  "concurrency_forbid",
  "project_inactive",
  "other",
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface CountSkippedOptions {
  /** Inclusive lower bound on the skip's time (finished_at). */
  from: Date;
  /** Exclusive upper bound. */
  to: Date;
  projectId?: string;
  /** Only these projects (a project-limited token's); empty: none. */
  projectIds?: readonly string[];
}

/**
 * Skipped runs (triggers) in a window, by reason, through triggers_finished_idx (partial on
 * finished statuses, skipped among them). Every reason is present, 0 when none.
 */
export async function countSkippedRuns(
  db: Db,
  o: CountSkippedOptions,
): Promise<Record<SkipReason, number>> {
  const projectIds = o.projectIds === undefined ? null : [...o.projectIds];
  const { rows } = await sql<{ reason: SkipReason; count: number }>`
    SELECT CASE
             WHEN last_error LIKE 'missed:%' THEN 'misfire'
             WHEN last_error LIKE 'missed its starting deadline%' THEN 'missed_deadline'
             WHEN last_error LIKE 'concurrency policy forbid%' THEN 'concurrency_forbid'
             WHEN last_error LIKE '%is inactive' THEN 'project_inactive'
             ELSE 'other'
           END AS reason,
           count(*)::int AS count
    FROM triggers
    WHERE status = 'skipped'
      AND finished_at >= ${o.from} AND finished_at < ${o.to}
      AND (${o.projectId ?? null}::text IS NULL OR project_id = ${o.projectId ?? null}::text)
      AND (${projectIds}::text[] IS NULL OR project_id = ANY(${projectIds}::text[]))
    GROUP BY 1`.execute(db);
  const counts = Object.fromEntries(SKIP_REASONS.map((r) => [r, 0])) as Record<
    SkipReason,
    number
  >;
  for (const r of rows) {
    counts[r.reason] = r.count;
  }
  return counts;
}
