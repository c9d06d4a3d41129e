import { sql, type Transaction } from "kysely";

import type { Database } from "../../database.js";

/**
 * Marks the project's failure episode as alerted (by `executionId`'s alert), so a later
 * success sends one recovery alert. Runs in the record transaction after `countRunForAlerts`,
 * which has locked the row.
 */
export async function markProjectAlerted(
  trx: Transaction<Database>,
  { projectId, executionId }: { projectId: string; executionId: number },
): Promise<void> {
  await trx
    .updateTable("project_alert_states")
    .set({
      alerted_at: sql<Date>`coalesce(alerted_at, now())`,
      alert_execution_id: sql<number>`coalesce(alert_execution_id, ${executionId}::bigint)`,
      updated_at: sql<Date>`now()`,
    })
    .where("project_id", "=", projectId)
    .execute();
}
