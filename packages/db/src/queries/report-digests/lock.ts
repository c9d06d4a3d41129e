import { sql, type Transaction } from "kysely";

import type { Database } from "../../database.js";
import type { ReportDigestRow } from "../../tables/report-state.js";

/**
 * Locks the project's digest row for the rest of the transaction (creating it if needed) and
 * returns it, with whether the next digest is due on the database clock. The row lock makes
 * digest building one at a time per project: a second builder, in another executor's record
 * transaction or flush, waits and then sees the first one's progress. The row never starts
 * before the project's last per-execution report, so turning `report.digest` on (again) does not
 * report those executions a second time (report_outbox_project_report_idx).
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
  const { rows } = await sql<ReportDigestRow & { due: boolean }>`
    INSERT INTO report_digests AS r (project_id, last_execution_id)
    VALUES (${projectId}, coalesce((
      SELECT max(execution_id) FROM report_outbox WHERE project_id = ${projectId} AND kind = 'report'), 0))
    ON CONFLICT (project_id) DO UPDATE
      SET last_execution_id = greatest(r.last_execution_id, excluded.last_execution_id)
    RETURNING r.*,
      (r.last_sent_at IS NULL OR r.last_sent_at <= now() - make_interval(secs => ${intervalSeconds})) AS due`.execute(
    trx,
  );
  const row = rows[0];
  if (!row) {
    throw new Error(`report_digests: no row for ${projectId}`);
  }
  return { ...row, last_execution_id: Number(row.last_execution_id) };
}
