import { sql, type Transaction } from "kysely";

import type { Database } from "../../database.js";

export interface DigestRange {
  /** The executions the digest covers: id in (afterExecutionId, lastExecutionId]. */
  firstExecutionId: number;
  lastExecutionId: number;
  executions: number;
  findings: number;
}

/**
 * The finished executions of a project after `afterExecutionId` that a digest can cover: all of
 * them up to (not including) the oldest one still pending or running, since that one's
 * transitions are not committed yet and a later digest must carry them. Undefined: none.
 */
export async function readDigestRange(
  trx: Transaction<Database>,
  {
    projectId,
    afterExecutionId,
  }: { projectId: string; afterExecutionId: number },
): Promise<DigestRange | undefined> {
  const { rows } = await sql<{
    first_id: number | null;
    last_id: number | null;
    executions: number;
    findings: number;
  }>`
    WITH after AS (
      SELECT id, status, findings_count FROM executions
      WHERE project_id = ${projectId} AND id > ${afterExecutionId}
    ),
    cut AS (
      SELECT min(id) AS first_unfinished FROM after WHERE status IN ('pending', 'running')
    )
    SELECT min(a.id)::bigint AS first_id, max(a.id)::bigint AS last_id, count(*)::int AS executions,
           coalesce(sum(a.findings_count), 0)::int AS findings
    FROM after a, cut c
    WHERE c.first_unfinished IS NULL OR a.id < c.first_unfinished`.execute(trx);
  const r = rows[0];
  if (!r || r.first_id === null || r.last_id === null || r.executions === 0) {
    return undefined;
  }
  return {
    firstExecutionId: Number(r.first_id),
    lastExecutionId: Number(r.last_id),
    executions: r.executions,
    findings: r.findings,
  };
}
