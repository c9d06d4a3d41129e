import { sql, type Kysely } from "kysely";

import type { Database } from "../../database.js";
import type { TriggerSource } from "../../tables/triggers.js";

export interface ClaimOptions {
  workerId: string;
  /** Lease length; the lease is `now() + leaseSeconds` on the database clock. */
  leaseSeconds: number;
  /** How many triggers this worker can start now (its free slots). */
  limit: number;
  /** Most running triggers in the whole database (GLOBAL_MAX_RUNNING); unset: no limit. */
  globalMaxRunning?: number | null;
  /** Most running triggers per team (TEAM_MAX_RUNNING), by team name; a team not named has no limit. */
  teamMaxRunning?: Readonly<Record<string, number>>;
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
 * policies and the project, team and global limits, and starts one `executions` row per claimed
 * trigger.
 *
 * The statements live in the plpgsql function `vigil_claim_due_triggers`
 * (packages/db/sql/vigil_claim_due_triggers.sql): one round trip, plans cached per connection.
 * It works in rounds over a batch of candidates, never over every project with due work, so a
 * claim costs the same with 50 or 300 projects due at once (bench/claim). Each round:
 * 1. Reads the candidates: the first `2 * limit + 8` due pending triggers (doubled each round)
 *    in the fair order below, from `triggers_due_fair_idx`, past the projects of earlier rounds
 *    and of teams a round found full. Whatever the claim would take before a trigger outside the
 *    batch belongs to a candidate project, so a batch that fills the room takes what a claim over
 *    every due project would.
 * 2. Locks their projects (FOR NO KEY UPDATE, in id order): the first round waits for each, which
 *    serializes claimers *per project* and makes the per-project limit and `forbid` exact across
 *    replicas; a later round already holds locks out of that order, so it takes only projects
 *    nobody holds (SKIP LOCKED) and never waits, and claimers cannot deadlock. It does not
 *    conflict with FOREIGN KEY checks (KEY SHARE), so recording and trigger creation never wait
 *    on it. With team limits, a transaction advisory lock per limited team of those projects;
 *    with a global limit, one global lock (a later round only tries a lock it lacks and leaves
 *    the projects it would need it for). Claimers that could add to the same limit serialize on
 *    it, so team and global limits are as exact as the project's; claims of unlimited teams do
 *    not wait.
 * 3. Claims from those projects in one statement whose snapshot is taken after the locks were
 *    granted, so it counts running triggers as the previous claimer (and this claim's earlier
 *    rounds) committed them.
 * A round that fills the room ends the claim; one whose candidates were refused (a limit, a held
 * row or project) goes on with the next candidates until the due triggers run out. Refused
 * candidates are projects with a run in flight or of a full team, so the rounds follow the runs
 * in flight, not the due herd. Skips (deadline, inactive, `forbid`) are decided for the
 * candidates a claim takes up; the rest are decided by the claims that reach them.
 *
 * Statement 3 locks, per project, the oldest due pending triggers (fire_at order, at most
 * `limit`) FOR UPDATE SKIP LOCKED: a row another transaction holds (the trigger-creator
 * cancelling it) is skipped, never waited on. Then, per project, in fire_at order:
 * - attempt 0 and past `fire_at + starting_deadline_seconds` -> `skipped` (missed deadline);
 * - project inactive -> `skipped`;
 * - the first due trigger: `replace` cancels the project's running triggers and runs;
 *   `forbid` runs only if nothing of the project is running, else `skipped`; `allow` runs if
 *   the project is below `max_concurrency` (default 1), else it stays pending;
 * - later ones: `forbid` -> `skipped` (it overlaps the first one or a running one),
 *   `replace` stays pending for the next round, `allow` runs while the project's limit allows.
 * A `forbid` skip names the run it overlaps in `skipped_for_trigger_id`. A `forbid` schedule
 * with two or more due triggers that never started is a backlog the trigger-creator has not
 * settled yet (triggers/settle-missed.ts): its triggers wait, neither claimed nor skipped, until
 * the misfire policy has decided which of them run.
 * What the projects allow is then taken in a fair order, the longest due first (`available_at`),
 * ties (many projects at one fire time) rotated by a hash of project and time (its epoch, so the
 * index can hold it), so no project always starts last: each limited team's room (TEAM_MAX_RUNNING minus its running triggers) to
 * its first runs, and in all at most `limit` and the global room (GLOBAL_MAX_RUNNING minus every
 * running trigger). What does not fit stays pending. A `replace` is not credited the slots of the
 * runs it cancels within the same claim, so the limits hold; the next claim sees them free.
 * Each claimed trigger gets status running, this worker, a lease, attempt + 1, its project's
 * `max_attempts` and team, and a `running` executions row (started_at = now()).
 */
export async function claimDueTriggers(
  db: Kysely<Database>,
  {
    workerId,
    leaseSeconds,
    limit,
    globalMaxRunning = null,
    teamMaxRunning = {},
  }: ClaimOptions,
): Promise<ClaimResult> {
  if (limit < 1) {
    return { claimed: [], skipped: [], replaced: [] };
  }
  const teams =
    Object.keys(teamMaxRunning).length > 0
      ? JSON.stringify(teamMaxRunning)
      : null;
  const { rows } = await sql<ClaimRow>`
    SELECT * FROM vigil_claim_due_triggers(${workerId}, ${leaseSeconds}, ${limit},
      ${globalMaxRunning}::int, ${teams}::jsonb)`.execute(db);
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
