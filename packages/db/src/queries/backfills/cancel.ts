import { sql, type Transaction } from "kysely";

import type { Database } from "../../database.js";
import type { BackfillStatus } from "../../tables/backfills.js";

/**
 * Marks a running backfill cancelled, so no top-up makes another trigger for it (it waits
 * for a top-up holding the row). Returns the status it has now: the one it already had when
 * it was done or cancelled before; undefined when there is no such backfill.
 */
export async function cancelBackfill(
  trx: Transaction<Database>,
  id: number,
): Promise<BackfillStatus | undefined> {
  const { rows } = await sql<{ status: BackfillStatus }>`
    with target as (select id, status from backfills where id = ${id} for update),
    cancelled as (
      update backfills b set status = 'cancelled', finished_at = now(), updated_at = now()
      from target where b.id = target.id and target.status = 'running'
      returning b.id
    )
    select case when exists (select 1 from cancelled) then 'cancelled' else target.status end as status
    from target`.execute(trx);
  return rows[0]?.status;
}
