import { sql, type Transaction } from "kysely";

import type { Database } from "../../database.js";
import { toTransition, type TransitionRow } from "../discrepancies/update.js";
import type { ReportDiscrepancy } from "../report-outbox/open-discrepancies.js";

/** The run transitions a report lists (`discrepancy_events.change` written by runs). */
const REPORTED_CHANGES = [
  "new",
  "reopened",
  "escalated",
  "unmuted",
  "resolved",
  "expired",
] as const;

type Row = TransitionRow & { change: (typeof REPORTED_CHANGES)[number] };

/**
 * Every transition that runs `(afterExecutionId, lastExecutionId]` of a project made, from
 * `discrepancy_events`, once per discrepancy and kind (the latest), shaped like
 * `updateDiscrepancies`' transitions. A discrepancy that was new and then resolved within the
 * range is listed in both groups. The discrepancy's current rule, key and message go with it.
 * Served by discrepancy_events_execution_idx.
 */
export async function listDigestTransitions(
  trx: Transaction<Database>,
  o: { projectId: string; afterExecutionId: number; lastExecutionId: number },
): Promise<ReportDiscrepancy[]> {
  const { rows } = await sql<Row>`
    SELECT DISTINCT ON (ev.change, ev.fingerprint)
           ev.change, ev.fingerprint, d.rule_id, d.finding_key,
           coalesce(ev.details #>> '{severity,to}', d.severity) AS severity,
           ev.details #>> '{severity,from}' AS previous_severity,
           ev.to_status AS status, ev.from_status AS previous_status,
           d.message, d.occurrences, d.first_seen_at, d.regressions, d.assignee
    FROM discrepancy_events ev
    JOIN discrepancies d ON d.project_id = ev.project_id AND d.fingerprint = ev.fingerprint
    WHERE ev.project_id = ${o.projectId} AND ev.actor = 'system'
      AND ev.execution_id > ${o.afterExecutionId} AND ev.execution_id <= ${o.lastExecutionId}
      AND ev.change = ANY(${[...REPORTED_CHANGES]}::text[])
    ORDER BY ev.change, ev.fingerprint, ev.id DESC`.execute(trx);
  return rows.map(toTransition);
}
