import { sql } from "kysely";

import type { Db } from "../../pool.js";
import { inTransaction } from "../../transaction.js";
import type { ScheduleRow } from "../../tables/schedules.js";
import type { ScheduleFields } from "./crud-create.js";

/** Fields whose change alters which runs the schedule makes. */
const DEFINITION_FIELDS = [
  "cron_expression",
  "timezone",
  "concurrency_policy",
  "misfire_policy",
  "starting_deadline_seconds",
] as const;

/**
 * Changes a schedule. A change of its definition bumps `version` (so the trigger-creator
 * replaces not-yet-claimed triggers made from the old one) and clears `invalid_reason`,
 * which the trigger-creator sets again if the row still cannot be scheduled. The project row
 * is locked first (the lock order of lockProjectForWrite).
 */
export async function updateSchedule(
  db: Db,
  projectId: string,
  scheduleId: number,
  patch: Partial<ScheduleFields>,
): Promise<ScheduleRow | undefined> {
  const definitionChanged = DEFINITION_FIELDS.some(
    (f) => patch[f] !== undefined,
  );
  return inTransaction(db, async (trx) => {
    await sql`select id from projects where id = ${projectId} for no key update`.execute(
      trx,
    );
    return trx
      .updateTable("schedules")
      .set({
        ...patch,
        ...(definitionChanged && {
          version: sql<number>`version + 1`,
          invalid_reason: null,
        }),
        updated_at: sql<Date>`now()`,
      })
      .where("id", "=", scheduleId)
      .where("project_id", "=", projectId)
      .returningAll()
      .executeTakeFirst();
  });
}
