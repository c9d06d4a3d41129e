import { sql } from "kysely";

import type { Db } from "../../pool.js";
import type { BackfillRow } from "../../tables/backfills.js";

export interface BackfillProgress extends BackfillRow {
  /** Triggers this backfill made, and how many of them are in each status. */
  created: number;
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
  skipped: number;
  cancelled: number;
}

/** One backfill with its triggers counted by status (triggers_backfill_idx). */
export async function getBackfillProgress(
  db: Db,
  id: number,
): Promise<BackfillProgress | undefined> {
  const count = (status: string) =>
    sql<number>`(count(t.id) filter (where t.status = ${status}))::int`;
  return db
    .selectFrom("backfills as b")
    .leftJoin("triggers as t", "t.backfill_id", "b.id")
    .selectAll("b")
    .select([
      sql<number>`count(t.id)::int`.as("created"),
      count("pending").as("pending"),
      count("running").as("running"),
      count("succeeded").as("succeeded"),
      count("failed").as("failed"),
      count("skipped").as("skipped"),
      count("cancelled").as("cancelled"),
    ])
    .where("b.id", "=", id)
    .groupBy("b.id")
    .executeTakeFirst();
}
