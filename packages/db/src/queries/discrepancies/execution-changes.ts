import { sql } from "kysely";

import type { Db } from "../../pool.js";

export interface ExecutionChangeRow {
  id: number;
  fingerprint: string;
  rule_id: string;
  finding_key: string;
  message: string;
  severity: string;
  change: string;
  from_status: string | null;
  to_status: string;
  at: Date;
}

/**
 * What one run did to its project's discrepancies: the `discrepancy_events` it wrote (actor
 * `system`), oldest first, after event `afterId`. A finding of the run without an event was
 * seen again with nothing changed. Served by discrepancy_events_execution_idx.
 */
export async function listExecutionChanges(
  db: Db,
  o: { projectId: string; executionId: number; afterId: number; limit: number },
): Promise<ExecutionChangeRow[]> {
  const { rows } = await sql<ExecutionChangeRow>`
    SELECT ev.id, ev.fingerprint, d.rule_id, d.finding_key, d.message,
           coalesce(ev.details #>> '{severity,to}', d.severity) AS severity,
           ev.change, ev.from_status, ev.to_status, ev.at
    FROM discrepancy_events ev
    JOIN discrepancies d ON d.project_id = ev.project_id AND d.fingerprint = ev.fingerprint
    WHERE ev.project_id = ${o.projectId} AND ev.actor = 'system'
      AND ev.execution_id = ${o.executionId} AND ev.id > ${o.afterId}
    ORDER BY ev.id
    LIMIT ${o.limit}`.execute(db);
  return rows;
}
