import { sql, type Kysely } from "kysely";

import type { Database } from "../../database.js";

export interface RescueResult {
  /** Back to pending for another attempt. */
  requeued: number;
  /** Attempts spent: now failed. */
  failed: number;
}

/**
 * Rescues running triggers whose lease expired (their worker died or froze): back to `pending`
 * with the attempt counted, or `failed` when `max_attempts` is spent. The stale execution row
 * of each is closed as failed, which also frees the one-live-execution-per-trigger index for
 * the next attempt. Locks at most `limit` expired rows, oldest expiry first, SKIP LOCKED so
 * replicas rescuing at the same time take disjoint rows and never wait on a recording worker.
 * Cheap when there is nothing to do: one probe of `triggers_lease_idx`.
 */
export async function rescueExpiredLeases(
  db: Kysely<Database>,
  { limit }: { limit: number },
): Promise<RescueResult> {
  const { rows } = await sql<{ status: string; n: number }>`
    WITH expired AS (
      SELECT id FROM triggers
      WHERE status = 'running' AND lease_expires_at < now()
      ORDER BY lease_expires_at
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    ),
    rescued AS (
      UPDATE triggers t SET
        status = CASE WHEN t.attempt >= t.max_attempts THEN 'failed' ELSE 'pending' END,
        last_error = 'lease expired: worker ' || coalesce(t.claimed_by, '?') || ' stopped renewing it (attempt '
                     || t.attempt || ' of ' || t.max_attempts || ')',
        available_at = CASE WHEN t.attempt >= t.max_attempts THEN t.available_at ELSE now() END,
        finished_at = CASE WHEN t.attempt >= t.max_attempts THEN now() END,
        lease_expires_at = NULL, updated_at = now()
      FROM expired e WHERE t.id = e.id
      RETURNING t.id, t.status, t.last_error
    ),
    closed AS (
      UPDATE executions x SET status = 'failed', error_message = r.last_error, finished_at = now(),
             duration_ms = greatest(0, floor(extract(epoch FROM now() - coalesce(x.started_at, now())) * 1000))::int
      FROM rescued r WHERE x.trigger_id = r.id AND x.status IN ('pending', 'running')
    )
    SELECT status, count(*)::int AS n FROM rescued GROUP BY status`.execute(db);
  return {
    requeued: rows.find((r) => r.status === "pending")?.n ?? 0,
    failed: rows.find((r) => r.status === "failed")?.n ?? 0,
  };
}
