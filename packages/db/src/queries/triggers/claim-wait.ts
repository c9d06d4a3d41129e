import { sql, type Kysely } from "kysely";

import type { Database } from "../../database.js";

/**
 * Milliseconds (database clock) until the next pending trigger becomes claimable, or null when
 * none is waiting. Due-but-blocked triggers (project at its limit) are not counted: they are
 * not in the future, and waiting on them would spin. Served by `triggers_due_idx`.
 */
export async function msUntilNextClaimable(
  db: Kysely<Database>,
): Promise<number | null> {
  const { rows } = await sql<{ ms: number | null }>`
    SELECT ceil(extract(epoch FROM min(available_at) - clock_timestamp()) * 1000)::int AS ms
    FROM triggers WHERE status = 'pending' AND available_at > now()`.execute(
    db,
  );
  const ms = rows[0]?.ms;
  return ms === null || ms === undefined ? null : Math.max(0, ms);
}
