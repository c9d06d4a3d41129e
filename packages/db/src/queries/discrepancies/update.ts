import { sql, type Transaction } from "kysely";

import type { Database } from "../../database.js";
import { toJson, type JsonValue, type Severity } from "../../tables/common.js";
import type { DiscrepancyStatus } from "../../tables/discrepancies.js";
import { severityRank } from "./severity-rank.js";

export interface SeenFinding {
  fingerprint: string;
  ruleId: string;
  findingKey: string;
  /** The input row it is about; null: the project names no row key. */
  rowKey: string | null;
  severity: Severity;
  message: string;
  data?: JsonValue | null;
}

/**
 * What one run did to one discrepancy, as reports group it:
 * - `new`: first seen; `reopened`: seen again after being resolved (a regression) or expired;
 * - `escalated`: still failing, with a higher severity (not while muted);
 * - `unmuted`: its mute ran out and it still fails (open again);
 * - `still_open`: seen again, nothing else changed (acknowledged and muted ones included);
 * - `resolved`: the run read its row (or, without a row key, ran its rule) and did not flag it;
 * - `expired`: its row has not been read for the project's `discrepancies.expire_after`.
 */
export type DiscrepancyTransitionKind =
  | "new"
  | "reopened"
  | "escalated"
  | "unmuted"
  | "still_open"
  | "resolved"
  | "expired";

export interface DiscrepancyTransition {
  change: DiscrepancyTransitionKind;
  fingerprint: string;
  ruleId: string;
  findingKey: string;
  severity: Severity;
  /** The severity before this run; equal to `severity` unless it changed. */
  previousSeverity: Severity;
  /** The status after this run, and before it (null for a new one). */
  status: DiscrepancyStatus;
  previousStatus: DiscrepancyStatus | null;
  message: string;
  occurrences: number;
  firstSeenAt: Date;
  regressions: number;
  assignee: string | null;
}

export interface UpdateDiscrepanciesOptions {
  projectId: string;
  executionId: number;
  /** Every finding of this execution (duplicates by fingerprint are collapsed, first wins). */
  seen: readonly SeenFinding[];
  /** Rules that ran to the end in this run: only their discrepancies can be confirmed or resolved. */
  evaluatedRuleIds: readonly string[];
  /**
   * Rules whose findings were cut at the project's `max_findings_per_rule`: a discrepancy of such
   * a rule that this run did not flag may be among the dropped findings, so it is neither resolved
   * nor marked not evaluated nor expired; it keeps its state. @default []
   */
  truncatedRuleIds?: readonly string[];
  /**
   * The keys of the rows this run read (`data_source.key`): a discrepancy of an evaluated rule
   * resolves only when its row is among them. Null: the project names no row key, and a run of
   * the rule is taken as evidence about all of that rule's discrepancies.
   */
  rowKeys: readonly string[] | null;
  /** `discrepancies.expire_after` (ISO 8601 and in seconds); null: a discrepancy not evaluated never expires. */
  expireAfter: { iso: string; seconds: number } | null;
}

/** A transition as SQL returns it (snake_case), before `toTransition`. */
export interface TransitionRow {
  change: DiscrepancyTransitionKind;
  fingerprint: string;
  rule_id: string;
  finding_key: string;
  severity: Severity;
  previous_severity: Severity | null;
  status: DiscrepancyStatus;
  previous_status: DiscrepancyStatus | null;
  message: string;
  occurrences: number;
  first_seen_at: Date;
  regressions: number;
  assignee: string | null;
}

/** A transition row as the report path takes it. */
export function toTransition(r: TransitionRow): DiscrepancyTransition {
  return {
    change: r.change,
    fingerprint: r.fingerprint,
    ruleId: r.rule_id,
    findingKey: r.finding_key,
    severity: r.severity,
    previousSeverity: r.previous_severity ?? r.severity,
    status: r.status,
    previousStatus: r.previous_status,
    message: r.message,
    occurrences: r.occurrences,
    firstSeenAt: r.first_seen_at,
    regressions: r.regressions,
    assignee: r.assignee,
  };
}

/**
 * Updates a project's discrepancies after a run whose rules ran (`success` or `partial`), in one
 * statement, from evidence only:
 * - each finding opens its discrepancy, confirms it (occurrences + 1; an acknowledged or muted one
 *   keeps its status), or reopens a resolved (regression) or expired one; a mute that ran out
 *   turns into `open`;
 * - a tracked discrepancy (open, acknowledged, muted) that was not flagged is resolved when this
 *   run evaluated it: its rule ran, and its row (`row_key`, else its key) is among `rowKeys`;
 * - one that was not evaluated (its row was not read, its rule failed or no longer exists) keeps
 *   its status and is marked `not_evaluated_since`, or becomes `expired` after `expireAfter`
 *   without evidence;
 * - one of a rule whose findings were truncated (`truncatedRuleIds`) and that was not among the
 *   kept findings is left as it is: the run cannot tell whether it flagged it.
 * Every change is also a `discrepancy_events` row (actor `system`, this execution). Returns every
 * transition but the `not_evaluated` marks, for the report. Rows are locked by the upsert/updates
 * themselves; two concurrent runs of one project (policy `allow`) serialize on the rows they share.
 */
export async function updateDiscrepancies(
  trx: Transaction<Database>,
  o: UpdateDiscrepanciesOptions,
): Promise<DiscrepancyTransition[]> {
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
    row_key: f.rowKey,
    severity: f.severity,
    message: f.message,
    data: f.data ?? null,
  }));
  const keyed = o.rowKeys !== null;
  const { rows } = await sql<TransitionRow>`
    WITH seen AS (
      SELECT * FROM jsonb_to_recordset(${toJson(seen)}::jsonb)
        AS s(fingerprint text, rule_id text, finding_key text, row_key text, severity text, message text, data jsonb)
    ),
    read_keys AS (
      SELECT DISTINCT k FROM unnest(${[...(o.rowKeys ?? [])]}::text[]) AS k
    ),
    upserted AS (
      INSERT INTO discrepancies AS d (project_id, fingerprint, rule_id, finding_key, row_key, severity, message,
                                      data, status, occurrences, first_seen_at, last_seen_at, first_execution_id,
                                      last_execution_id, status_changed_at, last_evaluated_at,
                                      last_evaluated_execution_id)
      SELECT ${o.projectId}, s.fingerprint, s.rule_id, s.finding_key, s.row_key, s.severity, s.message, s.data,
             'open', 1, now(), now(), ${o.executionId}, ${o.executionId}, now(), now(), ${o.executionId}
      FROM seen s
      ON CONFLICT (project_id, fingerprint) DO UPDATE SET
        rule_id = excluded.rule_id, finding_key = excluded.finding_key, row_key = excluded.row_key,
        severity = excluded.severity, message = excluded.message, data = excluded.data,
        status = CASE WHEN d.status IN ('resolved', 'expired') OR (d.status = 'muted' AND d.muted_until <= now())
                      THEN 'open' ELSE d.status END,
        muted_until = CASE WHEN d.status = 'muted' AND d.muted_until > now() THEN d.muted_until END,
        status_reason = CASE WHEN d.status IN ('resolved', 'expired') OR (d.status = 'muted' AND d.muted_until <= now())
                             THEN NULL ELSE d.status_reason END,
        status_changed_at = CASE WHEN d.status IN ('resolved', 'expired') OR (d.status = 'muted' AND d.muted_until <= now())
                                 THEN now() ELSE d.status_changed_at END,
        status_changed_by = CASE WHEN d.status IN ('resolved', 'expired') OR (d.status = 'muted' AND d.muted_until <= now())
                                 THEN 'system' ELSE d.status_changed_by END,
        regressions = d.regressions + CASE WHEN d.status = 'resolved' THEN 1 ELSE 0 END,
        reopened_at = CASE WHEN d.status = 'resolved' THEN now() ELSE d.reopened_at END,
        occurrences = d.occurrences + 1,
        last_seen_at = now(), last_execution_id = excluded.last_execution_id,
        resolved_at = NULL, resolved_execution_id = NULL, expired_at = NULL,
        last_evaluated_at = now(), last_evaluated_execution_id = excluded.last_execution_id,
        not_evaluated_since = NULL
      RETURNING d.fingerprint, d.rule_id, d.finding_key, d.severity, d.status, d.message, d.occurrences,
                d.first_seen_at, d.regressions, d.assignee
    ),
    confirmed AS (
      SELECT CASE
               WHEN p.fingerprint IS NULL THEN 'new'
               WHEN p.status IN ('resolved', 'expired') THEN 'reopened'
               WHEN p.status = 'muted' AND u.status = 'open' THEN 'unmuted'
               WHEN u.status <> 'muted' AND ${severityRank(sql`u.severity`)} > ${severityRank(sql`p.severity`)} THEN 'escalated'
               ELSE 'still_open'
             END AS change,
             u.*, p.severity AS previous_severity, p.status AS previous_status
      -- every part of one statement reads the snapshot from before its writes, so this is the row
      -- as it was before the upsert; joined by its key, not through another CTE, whose row count
      -- the planner cannot know and would scan once per finding
      FROM upserted u
      LEFT JOIN discrepancies p ON p.project_id = ${o.projectId} AND p.fingerprint = u.fingerprint
    ),
    unflagged AS (
      SELECT d.fingerprint, d.status,
             (d.rule_id = ANY(${[...o.evaluatedRuleIds]}::text[])
              AND (NOT ${keyed} OR EXISTS (SELECT 1 FROM read_keys r WHERE r.k = coalesce(d.row_key, d.finding_key))))
               AS evaluated
      FROM discrepancies d
      WHERE d.project_id = ${o.projectId} AND d.status IN ('open', 'acknowledged', 'muted')
        AND NOT EXISTS (SELECT 1 FROM seen s WHERE s.fingerprint = d.fingerprint)
        -- its finding may be one of those dropped past the cap: no evidence either way
        AND NOT d.rule_id = ANY(${[...(o.truncatedRuleIds ?? [])]}::text[])
    ),
    resolved AS (
      UPDATE discrepancies d SET
        status = 'resolved', resolved_at = now(), resolved_execution_id = ${o.executionId}, muted_until = NULL,
        status_reason = NULL, status_changed_at = now(), status_changed_by = 'system',
        last_evaluated_at = now(), last_evaluated_execution_id = ${o.executionId}, not_evaluated_since = NULL
      FROM unflagged u
      WHERE u.evaluated AND d.project_id = ${o.projectId} AND d.fingerprint = u.fingerprint
        AND d.status IN ('open', 'acknowledged', 'muted')
      RETURNING 'resolved' AS change, d.fingerprint, d.rule_id, d.finding_key, d.severity, d.status, d.message,
                d.occurrences, d.first_seen_at, d.regressions, d.assignee,
                d.severity AS previous_severity, u.status AS previous_status
    ),
    unevaluated AS (
      UPDATE discrepancies d SET
        not_evaluated_since = coalesce(d.not_evaluated_since, now()),
        status = CASE WHEN ${expiresNow(o.expireAfter)} THEN 'expired' ELSE d.status END,
        expired_at = CASE WHEN ${expiresNow(o.expireAfter)} THEN now() END,
        muted_until = CASE WHEN ${expiresNow(o.expireAfter)} THEN NULL ELSE d.muted_until END,
        status_reason = CASE WHEN ${expiresNow(o.expireAfter)}
                             THEN ${expiredReason(o.expireAfter)}
                             ELSE d.status_reason END,
        status_changed_at = CASE WHEN ${expiresNow(o.expireAfter)} THEN now() ELSE d.status_changed_at END,
        status_changed_by = CASE WHEN ${expiresNow(o.expireAfter)} THEN 'system' ELSE d.status_changed_by END
      FROM unflagged u
      WHERE NOT u.evaluated AND d.project_id = ${o.projectId} AND d.fingerprint = u.fingerprint
        AND d.status IN ('open', 'acknowledged', 'muted')
        AND (d.not_evaluated_since IS NULL OR ${expiresNow(o.expireAfter)})
      RETURNING CASE WHEN d.status = 'expired' THEN 'expired' ELSE 'not_evaluated' END AS change,
                d.fingerprint, d.rule_id, d.finding_key, d.severity, d.status, d.message, d.occurrences,
                d.first_seen_at, d.regressions, d.assignee, d.severity AS previous_severity,
                u.status AS previous_status
    ),
    transitions AS (
      SELECT change, fingerprint, rule_id, finding_key, severity, previous_severity, status, previous_status,
             message, occurrences, first_seen_at, regressions, assignee
      FROM confirmed
      UNION ALL
      SELECT change, fingerprint, rule_id, finding_key, severity, previous_severity, status, previous_status,
             message, occurrences, first_seen_at, regressions, assignee
      FROM resolved
      UNION ALL
      SELECT change, fingerprint, rule_id, finding_key, severity, previous_severity, status, previous_status,
             message, occurrences, first_seen_at, regressions, assignee
      FROM unevaluated
    ),
    events AS (
      INSERT INTO discrepancy_events (project_id, fingerprint, actor, change, from_status, to_status, reason,
                                      execution_id, details)
      SELECT ${o.projectId}, t.fingerprint, 'system',
             CASE WHEN t.change = 'still_open' THEN 'severity_changed' ELSE t.change END, t.previous_status, t.status,
             CASE t.change
               WHEN 'resolved' THEN 'the run read its row and no rule flagged it'
               WHEN 'not_evaluated' THEN 'the run did not read its row or its rule did not run'
               WHEN 'expired' THEN ${expiredReason(o.expireAfter)}
             END,
             ${o.executionId},
             CASE WHEN t.previous_severity IS DISTINCT FROM t.severity AND t.previous_severity IS NOT NULL
                  THEN jsonb_build_object('severity', jsonb_build_object('from', t.previous_severity, 'to', t.severity))
             END
      FROM transitions t
      WHERE t.change <> 'still_open' OR t.previous_severity IS DISTINCT FROM t.severity
    )
    SELECT * FROM transitions WHERE change <> 'not_evaluated'`.execute(trx);
  return rows.map(toTransition);
}

/** Whether a discrepancy not evaluated by this run has gone without evidence for `expireAfter`. */
function expiresNow(expireAfter: UpdateDiscrepanciesOptions["expireAfter"]) {
  return expireAfter === null
    ? sql<boolean>`false`
    : sql<boolean>`coalesce(d.last_evaluated_at, d.last_seen_at) <= now() - make_interval(secs => ${expireAfter.seconds})`;
}

function expiredReason(expireAfter: UpdateDiscrepanciesOptions["expireAfter"]) {
  return `its row was not read for ${expireAfter?.iso ?? "?"} (discrepancies.expire_after)`;
}
