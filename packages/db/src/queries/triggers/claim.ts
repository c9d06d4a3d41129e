import { sql, type Kysely } from "kysely";

import type { Database } from "../../database.js";
import type { TriggerSource } from "../../tables/triggers.js";

export interface ClaimOptions {
  workerId: string;
  /** Lease length; the lease is `now() + leaseSeconds` on the database clock. */
  leaseSeconds: number;
  /** How many triggers this worker can start now (its free slots). */
  limit: number;
}

/** A trigger this worker now owns, with the execution row that was started for it. */
export interface ClaimedTrigger {
  triggerId: number;
  executionId: number;
  projectId: string;
  scheduleId: number | null;
  source: TriggerSource;
  fireAt: Date;
  /** The claim's attempt number (1 for the first run); part of the fence. */
  attempt: number;
  maxAttempts: number;
  windowStart: Date | null;
  windowEnd: Date | null;
  startedAt: Date;
}

export interface ClaimResult {
  claimed: ClaimedTrigger[];
  /** Due triggers marked `skipped` by this claim: missed starting deadline, `forbid` overlap, inactive project. */
  skipped: { triggerId: number; projectId: string; reason: string }[];
  /** Running triggers cancelled by a `replace` trigger of the same project; their workers see a lost lease. */
  replaced: { triggerId: number; projectId: string; replacedBy: number }[];
}

interface ClaimRow {
  outcome: "claimed" | "skipped" | "replaced";
  trigger_id: number;
  project_id: string;
  execution_id: number | null;
  schedule_id: number | null;
  source: TriggerSource | null;
  fire_at: Date | null;
  attempt: number | null;
  max_attempts: number | null;
  window_start: Date | null;
  window_end: Date | null;
  started_at: Date | null;
  reason: string | null;
  replaced_by: number | null;
}

/**
 * Claims up to `limit` due triggers for `workerId`, applying starting deadlines, concurrency
 * policies and per-project limits, and starts one `executions` row per claimed trigger.
 *
 * The statements live in the plpgsql function `vigil_claim_due_triggers` (migrations/0004_executor.sql,
 * replaced by 0009_executor_batching.sql with an index-pinned project probe, and by
 * 0010_claim_fast_path.sql with a small UPDATE + INSERT when every due trigger it looks at is
 * `allow`, in deadline and of an active project, the large statement otherwise; same results;
 * and by 0011_claim_skip_scan.sql, which finds the projects with due work by a skip scan of the
 * pending-trigger index instead of a probe per project, so its cost does not grow with projects):
 * one round trip, plans cached per connection (planning the claim cost more than running it).
 * It runs two statements, each with its own snapshot:
 * 1. Lock (FOR NO KEY UPDATE, in id order, so claimers never deadlock) every active or inactive
 *    project that has a due pending trigger. This serializes claimers *per project*, which is what
 *    makes the per-project limit and `forbid` exact across replicas. It does not conflict with
 *    FOREIGN KEY checks (KEY SHARE), so recording and trigger creation never wait on it.
 * 2. The claim itself, in one statement whose snapshot is taken after those locks were granted, so
 *    it counts the project's running triggers as the previous claimer committed them. (In one
 *    statement the count would come from a snapshot older than the lock, and two replicas could
 *    both see "0 running" and over-run the limit.)
 *
 * Statement 2 locks, per project, the oldest due pending triggers (fire_at order, at most
 * `limit`) FOR UPDATE SKIP LOCKED: a row another transaction holds (the trigger-creator
 * cancelling it) is skipped, never waited on. Then, per project, in fire_at order:
 * - attempt 0 and past `fire_at + starting_deadline_seconds` -> `skipped` (missed deadline);
 * - project inactive -> `skipped`;
 * - the first due trigger: `replace` cancels the project's running triggers and runs;
 *   `forbid` runs only if nothing of the project is running, else `skipped`; `allow` runs if
 *   the project is below `config.max_concurrency` (default 1), else it stays pending;
 * - later ones: `forbid` -> `skipped` (it overlaps the first one or a running one),
 *   `replace` stays pending for the next round, `allow` runs while the limit allows.
 * Runnable triggers of all projects are taken in fire_at order up to `limit`.
 * Each claimed trigger gets status running, this worker, a lease, attempt + 1, max_attempts
 * from the project's `config.max_attempts`, and a `running` executions row (started_at = now()).
 */
export async function claimDueTriggers(
  db: Kysely<Database>,
  { workerId, leaseSeconds, limit }: ClaimOptions,
): Promise<ClaimResult> {
  if (limit < 1) {
    return { claimed: [], skipped: [], replaced: [] };
  }
  const { rows } = await sql<ClaimRow>`
    SELECT * FROM vigil_claim_due_triggers(${workerId}, ${leaseSeconds}, ${limit})`.execute(
    db,
  );
  return toClaimResult(rows);
}

function toClaimResult(rows: ClaimRow[]): ClaimResult {
  const result: ClaimResult = { claimed: [], skipped: [], replaced: [] };
  for (const r of rows) {
    if (r.outcome === "claimed") {
      result.claimed.push({
        triggerId: r.trigger_id,
        executionId: r.execution_id ?? 0,
        projectId: r.project_id,
        scheduleId: r.schedule_id,
        source: r.source ?? "manual",
        fireAt: r.fire_at ?? new Date(0),
        attempt: r.attempt ?? 1,
        maxAttempts: r.max_attempts ?? 1,
        windowStart: r.window_start,
        windowEnd: r.window_end,
        startedAt: r.started_at ?? new Date(),
      });
    } else if (r.outcome === "skipped") {
      result.skipped.push({
        triggerId: r.trigger_id,
        projectId: r.project_id,
        reason: r.reason ?? "skipped",
      });
    } else {
      result.replaced.push({
        triggerId: r.trigger_id,
        projectId: r.project_id,
        replacedBy: r.replaced_by ?? 0,
      });
    }
  }
  result.claimed.sort((a, b) => a.fireAt.getTime() - b.fireAt.getTime());
  return result;
}
