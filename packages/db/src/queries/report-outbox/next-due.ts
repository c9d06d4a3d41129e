import { sql, type Kysely } from "kysely";

import type { Database } from "../../database.js";

/**
 * Milliseconds until the next outbox row may be claimed (the next_attempt_at of a pending
 * row that is first in its project's line, or a delivering row's lease expiry), by the database clock; null when nothing waits.
 * The delivery loop sleeps this long (bounded by its poll interval), so a Retry-After or
 * a backoff of 2 s is honoured in about 2 s, not at the next poll.
 */
export async function msUntilNextReportDue(
  db: Kysely<Database>,
): Promise<number | null> {
  // greatest() ignores NULLs: with nothing waiting it would answer 0 and the loop would spin
  const { rows } = await sql<{ ms: number | null }>`
    select case when next.at is null then null
                else greatest(0, extract(epoch from next.at - clock_timestamp()) * 1000)::float8 end as ms
    from (select least(
      (select min(r.next_attempt_at) from report_outbox r where r.status = 'pending'
         and not exists (select 1 from report_outbox older where older.project_id = r.project_id
           and older.kind = r.kind and older.channel_name = r.channel_name and older.id < r.id and older.status in ('pending', 'delivering'))),
      (select min(lease_expires_at) from report_outbox where status = 'delivering')
    ) as at) next`.execute(db);
  const ms = rows[0]?.ms;
  return ms === null || ms === undefined ? null : Math.ceil(ms);
}
