import { sql } from "kysely";

import type { Db } from "../../pool.js";
import type { ExecutionRow } from "../../tables/executions.js";

/** Where the previous page ended: the last row's `finished_at` and `id`. */
export interface FinishedCursor {
  finishedAt: Date;
  id: number;
}

export interface ListFinishedOptions {
  projectId?: string | undefined;
  /** Only executions after this one in finish order; omitted: the latest `limit`. */
  after?: FinishedCursor | undefined;
  limit: number;
}

/*
 * finished_at holds microseconds and a JavaScript Date only milliseconds, so a cursor read
 * back from a row is up to 999 µs earlier than the row itself: comparing against raw
 * finished_at would return that row again on every page. Ordering and comparing on the
 * millisecond value, with the id to break ties, makes the cursor exact.
 */
const finishedMs = sql<Date>`date_trunc('milliseconds', finished_at)`;

/** Finished executions in the order they finished (oldest first), for `vigil tail`. */
export async function listFinishedExecutions(
  db: Db,
  o: ListFinishedOptions,
): Promise<ExecutionRow[]> {
  let q = db
    .selectFrom("executions")
    .selectAll()
    .where("finished_at", "is not", null);
  if (o.projectId !== undefined) {
    q = q.where("project_id", "=", o.projectId);
  }
  if (o.after === undefined) {
    const latest = await q
      .orderBy(finishedMs, "desc")
      .orderBy("id", "desc")
      .limit(o.limit)
      .execute();
    return latest.reverse();
  }
  return q
    .where(
      sql<boolean>`(${finishedMs}, id) > (${o.after.finishedAt}::timestamptz, ${o.after.id}::bigint)`,
    )
    .orderBy(finishedMs)
    .orderBy("id")
    .limit(o.limit)
    .execute();
}
