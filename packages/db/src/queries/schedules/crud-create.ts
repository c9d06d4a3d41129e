import { sql } from "kysely";

import type { Db } from "../../pool.js";
import { inTransaction } from "../../transaction.js";
import type {
  ConcurrencyPolicy,
  MisfirePolicy,
  ScheduleRow,
} from "../../tables/schedules.js";

export interface ScheduleFields {
  cron_expression: string;
  timezone: string;
  concurrency_policy: ConcurrencyPolicy;
  misfire_policy: MisfirePolicy;
  starting_deadline_seconds: number | null;
  is_active: boolean;
}

/**
 * Adds a schedule after locking its project row (the lock order of lockProjectForWrite).
 * @throws the foreign key violation (23503) when the project does not exist
 */
export async function createSchedule(
  db: Db,
  projectId: string,
  s: ScheduleFields,
): Promise<ScheduleRow> {
  return inTransaction(db, async (trx) => {
    await sql`select id from projects where id = ${projectId} for no key update`.execute(
      trx,
    );
    return trx
      .insertInto("schedules")
      .values({ project_id: projectId, ...s })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}
