import { sql } from "kysely";

import type { Db } from "../../pool.js";

/**
 * Extends the lease of a dry run this worker runs. False when the row is gone (the API gave
 * up or was answered), or another worker took it after the lease expired: stop the run.
 */
export async function renewDryRunLease(
  db: Db,
  o: { id: number; workerId: string; leaseSeconds: number },
): Promise<boolean> {
  const row = await db
    .updateTable("dry_run_requests")
    .set({
      lease_expires_at: sql<Date>`now() + make_interval(secs => ${o.leaseSeconds})`,
    })
    .where("id", "=", o.id)
    .where("worker_id", "=", o.workerId)
    .where("status", "=", "running")
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}
