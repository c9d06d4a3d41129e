import { sql, type Transaction } from "kysely";

import type { Database } from "../../database.js";
import type { BackfillRow } from "../../tables/backfills.js";

export interface LockedBackfill {
  backfill: BackfillRow;
  /** Its triggers still pending or running. */
  unfinished: number;
}

/**
 * Locks a running backfill for its top-up, with the count of its unfinished triggers. Locks
 * the backfills row only; skips one another top-up holds (undefined, as for one that is no
 * longer running), so two leaders never top up the same backfill at once.
 */
export async function lockRunningBackfill(
  trx: Transaction<Database>,
  id: number,
): Promise<LockedBackfill | undefined> {
  const row = await trx
    .selectFrom("backfills as b")
    .selectAll("b")
    .select(
      sql<number>`(select count(*) from triggers t
                   where t.backfill_id = b.id and t.status in ('pending', 'running'))::int`.as(
        "unfinished",
      ),
    )
    .where("b.id", "=", id)
    .where("b.status", "=", "running")
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
  if (row === undefined) {
    return undefined;
  }
  const { unfinished, ...backfill } = row;
  return { backfill, unfinished };
}
