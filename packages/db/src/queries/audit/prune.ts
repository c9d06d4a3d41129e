import { sql } from "kysely";

import type { Db } from "../../pool.js";

/**
 * Deletes up to `limit` of the oldest audit rows older than `olderThanDays` (database
 * clock; 0: everything before now), and only a prefix of
 * the chain: it stops at the first row (in id order) that is not old enough, whatever the
 * rows after it, and never deletes the newest row, so the next append still links to a
 * stored hash. The oldest remaining row's prev_hash is then the anchor `vigil audit verify`
 * starts from. Returns how many rows went.
 */
export async function pruneAuditEvents(
  db: Db,
  o: { olderThanDays: number; limit: number },
): Promise<number> {
  const { numAffectedRows } = await sql`
    with oldest as (
      select id, at from audit_events order by id limit ${o.limit}
    ), stop as (
      select coalesce(
        (select min(id) from oldest
         where at >= now() - make_interval(days => ${o.olderThanDays})),
        (select max(id) from audit_events)
      ) as id
    )
    delete from audit_events a
    using oldest o
    where a.id = o.id and o.id < (select id from stop)`.execute(db);
  return Number(numAffectedRows ?? 0);
}
