import { sql, type Kysely } from "kysely";

import type { Database } from "../../database.js";
import { WORKER_LOCK_CLASS } from "../../worker-lock.js";

export interface RescueOptions {
  /** At most this many runs per call (oldest claim first). */
  limit: number;
  /** A trigger rescued this many times is quarantined (failed) instead of run again. */
  maxRescues: number;
  /**
   * The rescuer's worker id, or null to rescue by lease only. With an id, a running trigger whose
   * worker holds no worker lock (packages/db/src/worker-lock.ts) is rescued at once; the
   * rescuer's own runs are never judged by its lock.
   */
  rescuerId: string | null;
  /**
   * A worker id this process took over at start (a fixed WORKER_ID reused by a restart): runs
   * still claimed under it belong to the previous process and are lost too.
   */
  restartedWorkerId?: string;
}

/** Why a run was taken back. */
export type RescueCause = "lock" | "lease";

export interface RescuedRun {
  triggerId: number;
  projectId: string;
  /** The lost execution, now `lost`; null when none was live. */
  executionId: number | null;
  workerId: string;
  cause: RescueCause;
  /** `pending`: will run again; `failed`: quarantined. */
  status: "pending" | "failed";
  rescues: number;
  reason: string;
}

/**
 * Takes back the runs of workers that are gone: a worker whose session advisory lock PostgreSQL
 * has freed (it died, was OOM-killed, or its connection closed; only workers that registered
 * `presence_lock`), or whose lease expired (frozen, partitioned, or an executor without a lock).
 * A rescued run spends no attempt: the trigger goes back to `pending` with `rescues` counted and
 * `attempt` given back, and its execution is closed as `lost` with the reason. A trigger rescued
 * `maxRescues` times is quarantined: `failed`, so one project whose runs kill their workers
 * cannot take a pool down in a loop. A `forbid` skip that the lost run caused says so.
 *
 * Locks the rows it takes FOR UPDATE SKIP LOCKED, so rescuers running at once take disjoint
 * runs and never wait on a worker recording its result (a record holds the row until commit,
 * and its fence fails once the execution is `lost`). Wakes every executor when a run is back.
 * Cheap when there is nothing to do: the running triggers by `triggers_lease_idx` and one read
 * of pg_locks.
 */
export async function rescueLostRuns(
  db: Kysely<Database>,
  o: RescueOptions,
): Promise<RescuedRun[]> {
  const restarted = o.restartedWorkerId ?? null;
  const { rows } = await sql<{
    trigger_id: string;
    project_id: string;
    execution_id: string | null;
    worker_id: string;
    cause: RescueCause;
    status: "pending" | "failed";
    rescues: number;
    reason: string;
  }>`
    WITH lock_free AS (
      -- workers with running triggers that said they hold a lock and whose lock nobody holds
      SELECT w.id FROM workers w
      WHERE ${o.rescuerId}::text IS NOT NULL AND w.presence_lock AND w.id <> ${o.rescuerId}::text
        AND w.id IN (SELECT r.claimed_by FROM triggers r WHERE r.status = 'running')
        AND NOT EXISTS (
          SELECT 1 FROM pg_locks l
          WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
            AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
            AND l.classid = ${WORKER_LOCK_CLASS}::oid AND l.objid = hashtext(w.id)::oid)
    ),
    lost AS (
      SELECT t.id, t.claimed_by,
             CASE WHEN t.claimed_by IN (SELECT id FROM lock_free) OR t.claimed_by = ${restarted}::text
                  THEN 'lock' ELSE 'lease' END AS cause
      FROM triggers t
      WHERE t.status = 'running'
        AND (t.lease_expires_at < now() OR t.claimed_by IN (SELECT id FROM lock_free)
             OR t.claimed_by = ${restarted}::text)
      ORDER BY t.claimed_at
      LIMIT ${o.limit}
      FOR UPDATE OF t SKIP LOCKED
    ),
    decided AS (
      SELECT l.id, l.cause, t.rescues + 1 AS rescues, t.rescues + 1 >= ${o.maxRescues} AS quarantined,
             CASE l.cause
               WHEN 'lock' THEN 'worker ' || coalesce(l.claimed_by, '?') || CASE WHEN l.claimed_by = ${restarted}::text
                 THEN ' restarted' ELSE ' lost its database session (it died or its connection closed)' END
               ELSE 'worker ' || coalesce(l.claimed_by, '?') || ' stopped renewing its lease (frozen, partitioned or dead)'
             END AS reason
      FROM lost l JOIN triggers t ON t.id = l.id
    ),
    rescued AS (
      UPDATE triggers t SET
        status = CASE WHEN d.quarantined THEN 'failed' ELSE 'pending' END,
        rescues = d.rescues,
        -- the lost run spent no attempt: the claim counted one, give it back
        attempt = greatest(t.attempt - 1, 0),
        last_error = CASE WHEN d.quarantined
                          THEN 'quarantined: its runs killed ' || d.rescues || ' workers (last: ' || d.reason || ')'
                          ELSE 'rescued: ' || d.reason END,
        available_at = CASE WHEN d.quarantined THEN t.available_at ELSE now() END,
        finished_at = CASE WHEN d.quarantined THEN now() END,
        lease_expires_at = NULL, updated_at = now()
      FROM decided d WHERE t.id = d.id
      RETURNING t.id, t.project_id, t.claimed_by, t.status, t.rescues, t.last_error, d.cause, d.reason
    ),
    closed AS (
      UPDATE executions x SET status = 'lost', error_message = r.last_error, finished_at = now(),
             duration_ms = greatest(0, floor(extract(epoch FROM now() - coalesce(x.started_at, now())) * 1000))::int
      FROM rescued r WHERE x.trigger_id = r.id AND x.status IN ('pending', 'running')
      RETURNING x.id, x.trigger_id
    ),
    amended_skips AS (
      UPDATE triggers s SET last_error = s.last_error || '; that run was then lost (' || r.reason || ') and rescued',
             updated_at = now()
      FROM rescued r WHERE s.skipped_for_trigger_id = r.id AND s.status = 'skipped'
      RETURNING s.id
    ),
    woken AS (
      SELECT pg_notify('vigil_triggers', '') FROM rescued WHERE status = 'pending' LIMIT 1
    )
    SELECT r.id AS trigger_id, r.project_id, c.id AS execution_id, r.claimed_by AS worker_id,
           r.cause, r.status, r.rescues, r.last_error AS reason
    FROM rescued r LEFT JOIN closed c ON c.trigger_id = r.id
    -- data-modifying CTEs run regardless; these keep the planner from dropping the selects
    CROSS JOIN (SELECT count(*) FROM amended_skips) AS a
    CROSS JOIN (SELECT count(*) FROM woken) AS n`.execute(db);
  return rows.map((r) => ({
    triggerId: Number(r.trigger_id),
    projectId: r.project_id,
    executionId: r.execution_id === null ? null : Number(r.execution_id),
    workerId: r.worker_id,
    cause: r.cause,
    status: r.status,
    rescues: r.rescues,
    reason: r.reason,
  }));
}
