import type { Kysely } from "kysely";

import type { Database } from "../../database.js";
import type { DiscrepancyTransition } from "../discrepancies/update.js";

/** One discrepancy as a report lists it: the same shape as `updateDiscrepancies`' transitions. */
export type ReportDiscrepancy = DiscrepancyTransition;

/**
 * The project's tracked discrepancies (open, acknowledged, muted), shaped like
 * `updateDiscrepancies`' changes (`still_open`), at most `limit`, most recently seen first. Used
 * for the report of an execution that did not update discrepancies (failed, timed out): nothing
 * was confirmed or resolved, and what was tracked still is.
 * Served by discrepancies_project_status_idx.
 */
export async function listOpenDiscrepanciesForReport(
  db: Kysely<Database>,
  { projectId, limit }: { projectId: string; limit: number },
): Promise<ReportDiscrepancy[]> {
  const rows = await db
    .selectFrom("discrepancies")
    .select([
      "fingerprint",
      "rule_id",
      "finding_key",
      "severity",
      "message",
      "occurrences",
      "first_seen_at",
      "status",
      "regressions",
      "assignee",
    ])
    .where("project_id", "=", projectId)
    .where("status", "in", ["open", "acknowledged", "muted"])
    .orderBy("last_seen_at", "desc")
    .orderBy("fingerprint")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    change: "still_open" as const,
    fingerprint: r.fingerprint,
    ruleId: r.rule_id,
    findingKey: r.finding_key,
    severity: r.severity,
    previousSeverity: r.severity,
    status: r.status,
    previousStatus: r.status,
    message: r.message,
    occurrences: r.occurrences,
    firstSeenAt: r.first_seen_at,
    regressions: r.regressions,
    assignee: r.assignee,
  }));
}
