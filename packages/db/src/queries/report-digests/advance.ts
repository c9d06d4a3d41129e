import { sql, type Transaction } from "kysely";

import type { Database } from "../../database.js";

/**
 * Moves the project's digest past `lastExecutionId`; with `sent`, also records that a digest
 * went out now (the next one is due an interval later). Call it after `lockReportDigest` in the
 * same transaction.
 */
export async function advanceReportDigest(
  trx: Transaction<Database>,
  o: { projectId: string; lastExecutionId: number; sent: boolean },
): Promise<void> {
  await trx
    .updateTable("report_digests")
    .set({
      last_execution_id: sql<number>`greatest(last_execution_id, ${o.lastExecutionId}::bigint)`,
      ...(o.sent
        ? { last_sent_at: sql<Date>`now()`, sent: sql<number>`sent + 1` }
        : {}),
      updated_at: sql<Date>`now()`,
    })
    .where("project_id", "=", o.projectId)
    .execute();
}
