import { sql, type Transaction } from "kysely";

import type { Database } from "../../database.js";
import { toJson, type JsonValue, type Severity } from "../../tables/common.js";

export interface SeenFinding {
  fingerprint: string;
  ruleId: string;
  findingKey: string;
  severity: Severity;
  message: string;
  data?: JsonValue | null;
}

export type DiscrepancyTransitionKind = "new" | "still_open" | "resolved";

export interface DiscrepancyTransition {
  change: DiscrepancyTransitionKind;
  fingerprint: string;
  ruleId: string;
  findingKey: string;
  severity: Severity;
  message: string;
  occurrences: number;
  firstSeenAt: Date;
}

export interface UpdateDiscrepanciesOptions {
  projectId: string;
  executionId: number;
  /** Every finding of this execution (duplicates by fingerprint are collapsed, first wins). */
  seen: readonly SeenFinding[];
  /** Rules that errored in this run: their open discrepancies are neither confirmed nor resolved. */
  failedRuleIds: readonly string[];
}

/**
 * Updates the open/resolved memory of a project after a successful execution, in one statement:
 * seen fingerprints are opened (new, or reopened after being resolved: counted from 1 again, with
 * this execution as first) or confirmed (still open, occurrences + 1); open ones not seen are resolved, except those of rules that failed this run.
 * Returns every change, for the report. Rows are locked by the upsert/update themselves; two
 * concurrent runs of one project (policy `allow`) serialize on the rows they share.
 */
export async function updateDiscrepancies(
  trx: Transaction<Database>,
  o: UpdateDiscrepanciesOptions,
): Promise<DiscrepancyTransition[]> {
  if (o.seen.length === 0) {
    return resolveAllOpen(trx, o);
  }
  const unique = new Map<string, SeenFinding>();
  for (const f of o.seen) {
    if (!unique.has(f.fingerprint)) {
      unique.set(f.fingerprint, f);
    }
  }
  const seen = [...unique.values()].map((f) => ({
    fingerprint: f.fingerprint,
    rule_id: f.ruleId,
    finding_key: f.findingKey,
    severity: f.severity,
    message: f.message,
    data: f.data ?? null,
  }));
  const { rows } = await sql<{
    change: DiscrepancyTransitionKind;
    fingerprint: string;
    rule_id: string;
    finding_key: string;
    severity: Severity;
    message: string;
    occurrences: number;
    first_seen_at: Date;
  }>`
    WITH seen AS (
      SELECT * FROM jsonb_to_recordset(${toJson(seen)}::jsonb)
        AS s(fingerprint text, rule_id text, finding_key text, severity text, message text, data jsonb)
    ),
    previous AS (
      SELECT d.fingerprint, d.status FROM discrepancies d
      WHERE d.project_id = ${o.projectId} AND d.fingerprint IN (SELECT fingerprint FROM seen)
    ),
    upserted AS (
      INSERT INTO discrepancies AS d (project_id, fingerprint, rule_id, finding_key, severity, message, data, status,
                                      occurrences, first_seen_at, last_seen_at, first_execution_id, last_execution_id)
      SELECT ${o.projectId}, s.fingerprint, s.rule_id, s.finding_key, s.severity, s.message, s.data, 'open',
             1, now(), now(), ${o.executionId}, ${o.executionId}
      FROM seen s
      ON CONFLICT (project_id, fingerprint) DO UPDATE SET
        rule_id = excluded.rule_id, finding_key = excluded.finding_key, severity = excluded.severity,
        message = excluded.message, data = excluded.data, status = 'open',
        -- a reopened discrepancy starts over, so it reads as new (first_execution_id = this one)
        occurrences = CASE WHEN d.status = 'resolved' THEN 1 ELSE d.occurrences + 1 END,
        first_seen_at = CASE WHEN d.status = 'resolved' THEN now() ELSE d.first_seen_at END,
        first_execution_id = CASE WHEN d.status = 'resolved' THEN excluded.first_execution_id ELSE d.first_execution_id END,
        last_seen_at = now(), last_execution_id = excluded.last_execution_id,
        resolved_at = NULL, resolved_execution_id = NULL
      RETURNING d.fingerprint, d.rule_id, d.finding_key, d.severity, d.message, d.occurrences, d.first_seen_at
    ),
    resolved AS (
      UPDATE discrepancies d SET status = 'resolved', resolved_at = now(), resolved_execution_id = ${o.executionId}
      WHERE d.project_id = ${o.projectId} AND d.status = 'open'
        AND NOT EXISTS (SELECT 1 FROM seen s WHERE s.fingerprint = d.fingerprint)
        AND d.rule_id <> ALL(${[...o.failedRuleIds]}::text[])
      RETURNING d.fingerprint, d.rule_id, d.finding_key, d.severity, d.message, d.occurrences, d.first_seen_at
    )
    SELECT CASE WHEN p.status = 'open' THEN 'still_open' ELSE 'new' END AS change, u.*
    FROM upserted u LEFT JOIN previous p USING (fingerprint)
    UNION ALL
    SELECT 'resolved', r.* FROM resolved r`.execute(trx);
  return rows.map((r) => ({
    change: r.change,
    fingerprint: r.fingerprint,
    ruleId: r.rule_id,
    findingKey: r.finding_key,
    severity: r.severity,
    message: r.message,
    occurrences: r.occurrences,
    firstSeenAt: r.first_seen_at,
  }));
}

/**
 * The common case of a clean run, as a small statement of its own: every open discrepancy (of
 * rules that did not fail) is resolved. Cheaper to plan than the general statement above.
 */
async function resolveAllOpen(
  trx: Transaction<Database>,
  o: UpdateDiscrepanciesOptions,
): Promise<DiscrepancyTransition[]> {
  const rows = await trx
    .updateTable("discrepancies")
    .set({
      status: "resolved",
      resolved_at: sql<Date>`now()`,
      resolved_execution_id: o.executionId,
    })
    .where("project_id", "=", o.projectId)
    .where("status", "=", "open")
    .$if(o.failedRuleIds.length > 0, (q) =>
      q.where("rule_id", "not in", [...o.failedRuleIds]),
    )
    .returning([
      "fingerprint",
      "rule_id",
      "finding_key",
      "severity",
      "message",
      "occurrences",
      "first_seen_at",
    ])
    .execute();
  return rows.map((r) => ({
    change: "resolved" as const,
    fingerprint: r.fingerprint,
    ruleId: r.rule_id,
    findingKey: r.finding_key,
    severity: r.severity,
    message: r.message,
    occurrences: r.occurrences,
    firstSeenAt: r.first_seen_at,
  }));
}
