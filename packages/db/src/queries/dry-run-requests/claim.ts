import { sql } from "kysely";

import type { Db } from "../../pool.js";
import type { JsonValue } from "../../tables/common.js";

export interface ClaimedDryRun {
  id: number;
  projectId: string;
  request: JsonValue;
}

/**
 * Takes the oldest dry run nobody runs: pending, or running under a lease that expired (its
 * executor died), and still awaited (`expires_at` ahead). Locks that one row and skips rows
 * other executors hold (SKIP LOCKED), so two executors never take the same request.
 */
export async function claimDryRunRequest(
  db: Db,
  o: { workerId: string; leaseSeconds: number },
): Promise<ClaimedDryRun | null> {
  const { rows } = await sql<{
    id: number;
    project_id: string;
    request: JsonValue;
  }>`
    UPDATE dry_run_requests
    SET status = 'running', worker_id = ${o.workerId},
        lease_expires_at = now() + make_interval(secs => ${o.leaseSeconds})
    WHERE id = (
      SELECT id FROM dry_run_requests
      WHERE (status = 'pending' OR (status = 'running' AND lease_expires_at < now()))
        AND expires_at > now()
      ORDER BY id
      LIMIT 1
      FOR UPDATE SKIP LOCKED
    )
    RETURNING id, project_id, request`.execute(db);
  const row = rows[0];
  return row
    ? { id: Number(row.id), projectId: row.project_id, request: row.request }
    : null;
}
