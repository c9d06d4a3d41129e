import { sql, type Kysely } from "kysely";

import type { Database } from "../../database.js";
import type { JsonValue } from "../../tables/common.js";
import type { ExecutionStatus } from "../../tables/executions.js";
import type { ClaimFence } from "../triggers/claim-fence.js";

/** What happens to the trigger: terminal, back to pending after a delay (retry), or handed back unspent. */
export type TriggerTransition =
  | { kind: "finished"; status: "succeeded" | "failed" | "cancelled" }
  | { kind: "retry"; delayMs: number }
  | { kind: "released" };

/** The result written to the run's execution row (started by the claim). */
export interface ExecutionResult {
  executionId: number;
  status: Exclude<ExecutionStatus, "pending" | "running">;
  exitCode?: number | null;
  signal?: string | null;
  errorMessage?: string | null;
  stdoutTail?: string | null;
  stderrTail?: string | null;
  stdoutBytes?: number | null;
  stderrBytes?: number | null;
  findingsCount?: number;
  /** Findings dropped past the per-rule cap, over all rules. @default 0 */
  findingsTruncated?: number;
  rulesTotal?: number;
  rulesFailed?: number;
  ruleResults?: JsonValue[];
  rowCount?: number | null;
  detectorHash?: string | null;
  /** Which sandbox layers held (`executions.sandbox`); null when no process ran. */
  sandbox?: Record<string, boolean> | null;
  /** The data window the run used; null or unset keeps the one the claim wrote. */
  windowStart?: Date | null;
  windowEnd?: Date | null;
}

/** The record of one run: its fence, what happens to its trigger and its execution row. */
export interface FinishRunOptions {
  fence: ClaimFence;
  trigger: TriggerTransition;
  /** Stored as the trigger's last_error (and should match the execution's error_message). */
  lastError: string | null;
  execution: ExecutionResult;
  /**
   * Set for a run whose rules ran (`success`, `partial`) recorded WITHOUT `updateDiscrepancies`
   * after it: it is written only when its project tracks no discrepancy (nothing to weigh), else it
   * comes back `guarded`. Null: not such a run, or the caller weighs discrepancies itself.
   */
  evaluates: { projectId: string } | null;
}

/** One run of a batch: `finishRun`'s input plus its project and, optionally, the report guard. */
export interface FinishRunsItem extends FinishRunOptions {
  projectId: string;
  /**
   * md5 of the project config the caller judged "no report can be due" from. Set: the run is
   * only written if the config is still that one; otherwise it comes back `guarded`. Null: no guard.
   */
  guardMd5: string | null;
}

export interface FinishRunsResult {
  /** recorded; lost (a fence failed: write nothing about it); guarded (see `guardMd5` and `evaluates`, nothing written). */
  outcome: "recorded" | "lost" | "guarded";
  /** The project's config as the statement saw it, and its md5 (null when the project is gone). */
  projectConfig: JsonValue | null;
  configMd5: string | null;
}

interface Row {
  ord: number;
  outcome: FinishRunsResult["outcome"];
  config_md5: string | null;
  project_config: JsonValue | null;
}

/**
 * The record of many runs in ONE statement (plpgsql `vigil_finish_runs`,
 * packages/db/sql/vigil_finish_runs.sql): per run the trigger transition and the execution row.
 * Each run is fenced on its own
 * (this worker, its attempt, status running, and its execution row still running for this
 * worker), so a run whose lease was lost is left out while the others are written. Atomic by
 * itself; inside a transaction it joins it, and its row locks keep rescue and `replace` out until
 * commit. Results come back in input order. This is the executor's completion batch: one round
 * trip (and one commit) for every run that finished while the previous batch was being written.
 * Findings and discrepancies are not written here: a run whose rules ran records inside a
 * transaction that writes them after this (see apps/executor/src/record-outcome.ts), unless its
 * project tracks no discrepancy (`evaluates`).
 */
export async function finishRuns(
  db: Kysely<Database>,
  workerId: string,
  items: readonly FinishRunsItem[],
): Promise<FinishRunsResult[]> {
  if (items.length === 0) {
    return [];
  }
  const runs = items.map((o, ord) => {
    const e = o.execution;
    const t = o.trigger;
    return {
      ord,
      trigger_id: o.fence.triggerId,
      attempt: o.fence.attempt,
      kind: t.kind,
      status: t.kind === "finished" ? t.status : "pending",
      delay_seconds: t.kind === "retry" ? Math.max(0, t.delayMs) / 1000 : 0,
      last_error: o.lastError,
      execution_id: e.executionId,
      execution_status: e.status,
      exit_code: e.exitCode ?? null,
      signal: e.signal ?? null,
      error_message: e.errorMessage ?? null,
      stdout_tail: e.stdoutTail ?? null,
      stderr_tail: e.stderrTail ?? null,
      stdout_bytes: e.stdoutBytes ?? null,
      stderr_bytes: e.stderrBytes ?? null,
      findings_count: e.findingsCount ?? 0,
      findings_truncated: e.findingsTruncated ?? 0,
      rules_total: e.rulesTotal ?? 0,
      rules_failed: e.rulesFailed ?? 0,
      rule_results: e.ruleResults ?? [],
      row_count: e.rowCount ?? null,
      detector_hash: e.detectorHash ?? null,
      window_start: e.windowStart ? e.windowStart.toISOString() : null,
      window_end: e.windowEnd ? e.windowEnd.toISOString() : null,
      evaluates: o.evaluates !== null,
      project_id: o.projectId,
      guard_md5: o.guardMd5,
      sandbox: e.sandbox ?? null,
    };
  });
  // the fences belong to this worker: every run of a batch must carry it
  if (items.some((o) => o.fence.workerId !== workerId)) {
    throw new Error(
      "finishRuns: every run must be fenced on the calling worker",
    );
  }
  const { rows } =
    await sql<Row>`SELECT * FROM vigil_finish_runs(${workerId}, ${JSON.stringify(runs)}::jsonb)`.execute(
      db,
    );
  const byOrd = new Map(rows.map((r) => [r.ord, r]));
  return items.map((_, ord) => {
    const r = byOrd.get(ord);
    return {
      outcome: r?.outcome ?? "lost",
      projectConfig: r?.project_config ?? null,
      configMd5: r?.config_md5 ?? null,
    };
  });
}

/**
 * The record of one run: `finishRuns` with one item and no report guard. `owned` false: the lease
 * was lost and nothing was written; `guarded`: the run `evaluates` and its project tracks
 * discrepancies, so nothing was written and the caller records it with `updateDiscrepancies`.
 */
export async function finishRun(
  db: Kysely<Database>,
  o: FinishRunOptions,
): Promise<{ owned: boolean; guarded: boolean }> {
  const [result] = await finishRuns(db, o.fence.workerId, [
    { ...o, projectId: o.evaluates?.projectId ?? "", guardMd5: null },
  ]);
  return {
    owned: result?.outcome === "recorded",
    guarded: result?.outcome === "guarded",
  };
}
