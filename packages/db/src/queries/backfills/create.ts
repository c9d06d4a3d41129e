import type { Db } from "../../pool.js";
import type { BackfillRow } from "../../tables/backfills.js";

export interface InsertBackfillOptions {
  projectId: string;
  rangeStart: Date;
  rangeEnd: Date;
  step: string;
  stepMs: number;
  concurrency: number;
  /** Windows in the range (the caller checked it against its cap). */
  total: number;
  requestedBy: string;
}

/**
 * A new running backfill with its cursor at the first window. It makes no trigger: the
 * trigger-creator leader tops it up (notifyBackfillCreated wakes it).
 */
export async function insertBackfill(
  db: Db,
  o: InsertBackfillOptions,
): Promise<BackfillRow> {
  return db
    .insertInto("backfills")
    .values({
      project_id: o.projectId,
      range_start: o.rangeStart,
      range_end: o.rangeEnd,
      step: o.step,
      step_ms: o.stepMs,
      concurrency: o.concurrency,
      total: o.total,
      requested_by: o.requestedBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}
