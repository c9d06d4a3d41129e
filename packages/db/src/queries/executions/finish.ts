import { sql, type Transaction } from "kysely";

import type { Database } from "../../database.js";
import { toJson, type JsonValue } from "../../tables/common.js";
import type { ExecutionStatus } from "../../tables/executions.js";

export interface FinishExecutionOptions {
  executionId: number;
  workerId: string;
  status: Exclude<ExecutionStatus, "pending" | "running">;
  exitCode?: number | null;
  signal?: string | null;
  errorMessage?: string | null;
  stdoutTail?: string | null;
  stderrTail?: string | null;
  stdoutBytes?: number | null;
  stderrBytes?: number | null;
  findingsCount?: number;
  rulesTotal?: number;
  rulesFailed?: number;
  ruleResults?: JsonValue[];
  rowCount?: number | null;
  detectorHash?: string | null;
  /** Which sandbox layers held (`executions.sandbox`); null when no process ran. */
  sandbox?: Record<string, boolean> | null;
  windowStart?: Date | null;
  windowEnd?: Date | null;
}

/**
 * Closes a running execution row with its result; `duration_ms` = now() - started_at on the
 * database clock. Fenced on the row still being `running` for this worker (rescue or `replace`
 * close it first otherwise); false means nothing was written. Call it after `finishTrigger`
 * in the same transaction. The execution row was started by the claim (see claimDueTriggers).
 */
export async function finishExecution(
  trx: Transaction<Database>,
  o: FinishExecutionOptions,
): Promise<boolean> {
  const result = await trx
    .updateTable("executions")
    .set({
      status: o.status,
      finished_at: sql<Date>`now()`,
      duration_ms: sql<number>`greatest(0, floor(extract(epoch FROM now() - coalesce(started_at, now())) * 1000))::int`,
      exit_code: o.exitCode ?? null,
      signal: o.signal ?? null,
      error_message: o.errorMessage ?? null,
      stdout_tail: o.stdoutTail ?? null,
      stderr_tail: o.stderrTail ?? null,
      stdout_bytes: o.stdoutBytes ?? null,
      stderr_bytes: o.stderrBytes ?? null,
      findings_count: o.findingsCount ?? 0,
      rules_total: o.rulesTotal ?? 0,
      rules_failed: o.rulesFailed ?? 0,
      rule_results: toJson(o.ruleResults ?? []),
      row_count: o.rowCount ?? null,
      detector_hash: o.detectorHash ?? null,
      sandbox: o.sandbox ? toJson(o.sandbox) : null,
      ...(o.windowStart === undefined ? {} : { window_start: o.windowStart }),
      ...(o.windowEnd === undefined ? {} : { window_end: o.windowEnd }),
    })
    .where("id", "=", o.executionId)
    .where("worker_id", "=", o.workerId)
    .where("status", "=", "running")
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
