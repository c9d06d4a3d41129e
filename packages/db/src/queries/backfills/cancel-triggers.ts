import { sql, type Transaction } from "kysely";

import type { Database } from "../../database.js";

/**
 * Cancels a backfill's triggers that have not started; running ones finish as they would.
 * Locks those pending triggers, skipping one a claim holds (it is starting: it runs).
 */
export async function cancelPendingBackfillTriggers(
  trx: Transaction<Database>,
  backfillId: number,
): Promise<number> {
  const { rows } = await sql<{ id: number }>`
    update triggers t
    set status = 'cancelled', finished_at = now(), updated_at = now(),
        last_error = 'cancelled: backfill ' || ${backfillId}::bigint || ' was cancelled'
    where t.id in (select id from triggers
                   where backfill_id = ${backfillId} and status = 'pending'
                   for update skip locked)
      and t.status = 'pending'
    returning t.id`.execute(trx);
  return rows.length;
}
