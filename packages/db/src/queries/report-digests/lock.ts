import { sql, type Transaction } from "kysely";

import type { Database } from "../../database.js";
import type { ReportDigestRow } from "../../tables/report-state.js";

/**
 * Locks the project's digest row for the rest of the transaction, creating it first if needed,
 * and returns it with whether the next digest is due (on the database clock). The row lock makes digest building one at a time per project (a second
 * builder, in another executor's record transaction or flush, waits and then sees the first
 * one's progress). A new row starts after the project's last per-execution report, so turning
 * `report.digest` on does not report those executions again.
 */
export async function lockReportDigest(
  trx: Transaction<Database>,
  {
    projectId,
    intervalSeconds,
  }: {
    projectId: string;
    /** `report.digest` in seconds: `due` says whether that long has passed since the last one. */
    intervalSeconds: number;
  },
): Promise<ReportDigestRow & { due: boolean }> {
  await trx
    .insertInto("report_digests")
    .values({
      project_id: projectId,
      last_execution_id: sql<number>`coalesce((
        SELECT max(execution_id) FROM report_outbox WHERE project_id = ${projectId} AND kind = 'report'), 0)`,
    })
    .onConflict((oc) => oc.column("project_id").doNothing())
    .execute();
  return trx
    .selectFrom("report_digests")
    .selectAll()
    .select(
      sql<boolean>`last_sent_at IS NULL OR last_sent_at <= now() - make_interval(secs => ${intervalSeconds})`.as(
        "due",
      ),
    )
    .where("project_id", "=", projectId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}
