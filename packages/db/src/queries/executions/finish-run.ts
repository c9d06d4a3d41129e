import { sql, type Kysely } from "kysely";

import type { Database } from "../../database.js";
import { toJson } from "../../tables/common.js";
import type { ClaimFence } from "../triggers/claim-fence.js";
import type { DiscrepancyTransition } from "../discrepancies/update.js";
import type { FinishExecutionOptions } from "./finish.js";

/** What happens to the trigger: terminal, back to pending after a delay (retry), or handed back unspent. */
export type TriggerTransition =
  | { kind: "finished"; status: "succeeded" | "failed" | "cancelled" }
  | { kind: "retry"; delayMs: number }
  | { kind: "released" };

export interface FinishRunOptions {
  fence: ClaimFence;
  trigger: TriggerTransition;
  /** Stored as the trigger's last_error (and should match the execution's error_message). */
  lastError: string | null;
  execution: Omit<FinishExecutionOptions, "workerId">;
  /** Resolve the project's open discrepancies (a successful run without findings), except these failed rules'. */
  resolveOpen: { projectId: string; exceptRuleIds: readonly string[] } | null;
}

/**
 * The whole record of a run that has no findings to insert, in ONE statement: the trigger
 * transition (finishTrigger / requeueTrigger / releaseTrigger semantics), the execution row
 * (finishExecution semantics) and, for a clean success, resolving open discrepancies.
 * Fenced as a unit: the trigger is only touched while this worker still owns it at this attempt
 * AND its execution row is still running for this worker; the rest only if the trigger was.
 * One statement is atomic on its own, so without other writes (no findings, no report hook) it
 * needs no BEGIN/COMMIT: 1 round trip instead of 5, which is what dispatch throughput is made of
 * (bench/executor). Inside a transaction it works the same. Returns false when the lease was lost.
 */
export async function finishRun(
  db: Kysely<Database>,
  o: FinishRunOptions,
): Promise<{ owned: boolean; resolved: DiscrepancyTransition[] }> {
  const { fence, trigger, execution: e } = o;
  const kind = trigger.kind;
  const status = trigger.kind === "finished" ? trigger.status : "pending";
  const delaySeconds =
    trigger.kind === "retry" ? Math.max(0, trigger.delayMs) / 1000 : 0;
  const { rows } = await sql<{
    owned: boolean;
    resolved: Array<Record<string, unknown>> | null;
  }>`
    WITH t AS (
      UPDATE triggers t SET
        status = ${status},
        attempt = CASE WHEN ${kind} = 'released' THEN t.attempt - 1 ELSE t.attempt END,
        available_at = CASE ${kind} WHEN 'retry' THEN now() + make_interval(secs => ${delaySeconds})
                                    WHEN 'released' THEN now() ELSE t.available_at END,
        finished_at = CASE WHEN ${kind} = 'finished' THEN now() END,
        lease_expires_at = NULL, last_error = ${o.lastError}, updated_at = now()
      WHERE t.id = ${fence.triggerId} AND t.claimed_by = ${fence.workerId} AND t.attempt = ${fence.attempt} AND t.status = 'running'
        AND EXISTS (SELECT 1 FROM executions x WHERE x.id = ${e.executionId} AND x.worker_id = ${fence.workerId} AND x.status = 'running')
      RETURNING t.id
    ),
    e AS (
      UPDATE executions x SET
        status = ${e.status}, finished_at = now(),
        duration_ms = greatest(0, floor(extract(epoch FROM now() - coalesce(x.started_at, now())) * 1000))::int,
        exit_code = ${e.exitCode ?? null}, signal = ${e.signal ?? null}, error_message = ${e.errorMessage ?? null},
        stdout_tail = ${e.stdoutTail ?? null}, stderr_tail = ${e.stderrTail ?? null},
        stdout_bytes = ${e.stdoutBytes ?? null}, stderr_bytes = ${e.stderrBytes ?? null},
        findings_count = ${e.findingsCount ?? 0}, rules_total = ${e.rulesTotal ?? 0}, rules_failed = ${e.rulesFailed ?? 0},
        rule_results = ${toJson(e.ruleResults ?? [])}::jsonb, row_count = ${e.rowCount ?? null}, detector_hash = ${e.detectorHash ?? null},
        sandbox = ${e.sandbox ? JSON.stringify(e.sandbox) : null}::jsonb,
        window_start = coalesce(${e.windowStart ?? null}::timestamptz, x.window_start),
        window_end = coalesce(${e.windowEnd ?? null}::timestamptz, x.window_end)
      WHERE x.id = ${e.executionId} AND EXISTS (SELECT 1 FROM t)
      RETURNING x.id
    ),
    d AS (
      UPDATE discrepancies d SET status = 'resolved', resolved_at = now(), resolved_execution_id = ${e.executionId}
      WHERE ${o.resolveOpen !== null} AND d.project_id = ${o.resolveOpen?.projectId ?? ""} AND d.status = 'open'
        AND d.rule_id <> ALL(${[...(o.resolveOpen?.exceptRuleIds ?? [])]}::text[])
        AND EXISTS (SELECT 1 FROM e)
      RETURNING d.fingerprint, d.rule_id, d.finding_key, d.severity, d.message, d.occurrences, d.first_seen_at
    )
    SELECT EXISTS (SELECT 1 FROM e) AS owned, (SELECT json_agg(d) FROM d) AS resolved`.execute(
    db,
  );
  const row = rows[0];
  return {
    owned: row?.owned ?? false,
    resolved: (row?.resolved ?? []).map(toResolvedTransition),
  };
}

/** A discrepancy row the record resolved (as `json_agg` returns it), as the report hook takes it. */
export function toResolvedTransition(
  r: Record<string, unknown>,
): DiscrepancyTransition {
  return {
    change: "resolved",
    fingerprint: String(r.fingerprint),
    ruleId: String(r.rule_id),
    findingKey: String(r.finding_key),
    severity: r.severity as DiscrepancyTransition["severity"],
    message: String(r.message),
    occurrences: Number(r.occurrences),
    firstSeenAt: new Date(String(r.first_seen_at)),
  };
}
