import { sql } from "kysely";

import type { Db } from "../../pool.js";
import { toJson, type JsonValue } from "../../tables/common.js";

/**
 * Writes the answer of a dry run this worker still holds (fenced by worker and status, so a
 * worker whose lease another took writes nothing); the update NOTIFYs vigil_dry_run_answers.
 */
export async function finishDryRunRequest(
  db: Db,
  o: { id: number; workerId: string; answer: JsonValue },
): Promise<boolean> {
  const row = await db
    .updateTable("dry_run_requests")
    .set({
      status: "done",
      answer: toJson(o.answer),
      finished_at: sql<Date>`now()`,
    })
    .where("id", "=", o.id)
    .where("worker_id", "=", o.workerId)
    .where("status", "=", "running")
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}
