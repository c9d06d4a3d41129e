import { sql } from "kysely";

import type { Db } from "../../pool.js";

export interface InvalidScheduleMark {
  scheduleId: number;
  /** The version that was found invalid, as read. */
  version: number;
  /** Why it cannot be scheduled, e.g. the cron validation message. */
  reason: string;
}

/**
 * Records why schedules written past the API cannot be scheduled, in one statement. Their
 * cursor is cleared (nothing is materialized for them) and materialized_version is set, so
 * the trigger-creator knows it has dealt with this version. Rows already marked with the
 * same reason are left alone, and so are rows changed since they were read.
 * Returns how many rows changed.
 */
export async function markSchedulesInvalid(
  db: Db,
  marks: readonly InvalidScheduleMark[],
): Promise<number> {
  if (marks.length === 0) {
    return 0;
  }
  const result = await sql`
    update schedules as s
    set invalid_reason = x.reason,
        materialized_version = x.version,
        materialized_until = null,
        next_unmaterialized_at = null
    from unnest(${marks.map((m) => m.scheduleId)}::bigint[],
                ${marks.map((m) => m.version)}::int[],
                ${marks.map((m) => m.reason)}::text[])
         as x(id, version, reason)
    where s.id = x.id and s.version = x.version
      and (s.invalid_reason is distinct from x.reason
           or s.materialized_version is distinct from x.version
           or s.materialized_until is not null)`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}
