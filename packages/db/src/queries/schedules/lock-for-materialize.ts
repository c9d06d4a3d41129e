import { sql } from "kysely";

import type { DbTransaction } from "../../pool.js";

/**
 * The trigger-creator's first statements in a batch's transaction, in the lock order every
 * project write follows (lockProjectForWrite): the batch's projects in id order, FOR KEY
 * SHARE, then its schedules in id order, FOR NO KEY UPDATE.
 *
 * - KEY SHARE on a project conflicts only with its deletion (FOR UPDATE): a project being
 *   deleted is waited for and then gone, so no trigger is inserted for it and no foreign key
 *   check fails; settings writes and the executors' claim (FOR NO KEY UPDATE) are not blocked.
 * - NO KEY UPDATE on the schedules is the lock the cursor update takes later anyway; taking it
 *   up front, in id order, means a schedule being written by the API (locked FOR UPDATE after
 *   its project) is waited for before anything of it is touched, and a deleted one is gone
 *   when the inserts run (each statement reads the rows committed by then).
 */
export async function lockSchedulesForMaterialize(
  trx: DbTransaction,
  schedules: ReadonlyArray<{ id: number; project_id: string }>,
): Promise<void> {
  if (schedules.length === 0) {
    return;
  }
  const projects = [...new Set(schedules.map((s) => s.project_id))].sort();
  await sql`
    select id from projects where id = any(${projects}::text[]) order by id for key share`.execute(
    trx,
  );
  await sql`
    select id from schedules where id = any(${schedules.map((s) => s.id)}::bigint[]) order by id for no key update`.execute(
    trx,
  );
}
