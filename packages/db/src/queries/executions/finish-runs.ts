import { sql, type Kysely } from "kysely";

import type { Database } from "../../database.js";
import type { JsonValue } from "../../tables/common.js";
import type { DiscrepancyTransition } from "../discrepancies/update.js";
import { toResolvedTransition, type FinishRunOptions } from "./finish-run.js";

/** One run of a batch: `finishRun`'s input plus its project and, optionally, the report guard. */
export interface FinishRunsItem extends FinishRunOptions {
  projectId: string;
  /**
   * md5 of the project config the caller judged "no report can be due" from. Set: the run is
   * only written if the config is still that one and (for a resolving success) nothing would be
   * resolved; otherwise it comes back `guarded`. Null: no guard.
   */
  guardMd5: string | null;
}

export interface FinishRunsResult {
  /** recorded; lost (a fence failed: write nothing about it); guarded (see `guardMd5`, nothing written). */
  outcome: "recorded" | "lost" | "guarded";
  /** The project's config as the statement saw it, and its md5 (null when the project is gone). */
  projectConfig: JsonValue | null;
  configMd5: string | null;
  /** Discrepancies this run resolved (a clean success; the first run of a project in the batch resolves them). */
  resolved: DiscrepancyTransition[];
}

interface Row {
  ord: number;
  outcome: FinishRunsResult["outcome"];
  config_md5: string | null;
  project_config: JsonValue | null;
  resolved: Array<Record<string, unknown>> | null;
}

/**
 * `finishRun` for many runs without findings in ONE statement (plpgsql `vigil_finish_runs`,
 * migrations/0009_executor_batching.sql): each run fenced on its own, so a run whose lease was
 * lost is left out while the others are written. Atomic by itself; inside a transaction it joins
 * it. Results come back in input order. This is the executor's completion batch: one round trip
 * (and one commit) for every run that finished while the previous batch was being written.
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
      rules_total: e.rulesTotal ?? 0,
      rules_failed: e.rulesFailed ?? 0,
      rule_results: e.ruleResults ?? [],
      row_count: e.rowCount ?? null,
      detector_hash: e.detectorHash ?? null,
      window_start: e.windowStart ? e.windowStart.toISOString() : null,
      window_end: e.windowEnd ? e.windowEnd.toISOString() : null,
      resolve: o.resolveOpen !== null,
      except_rule_ids: [...(o.resolveOpen?.exceptRuleIds ?? [])],
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
      resolved: (r?.resolved ?? []).map(toResolvedTransition),
    };
  });
}
