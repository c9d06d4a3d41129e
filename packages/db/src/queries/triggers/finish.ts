import type { Transaction } from "kysely";
import { sql } from "kysely";

import type { Database } from "../../database.js";
import type { ClaimFence } from "./claim-fence.js";

export type FinishedTriggerStatus = "succeeded" | "failed" | "cancelled";

/**
 * Moves an owned trigger to a terminal status. Fenced: applies only while `claimed_by` is this
 * worker, the attempt is the claimed one and the status is still `running`. Returns false when
 * the lease was lost; the caller rolls back and writes nothing. Run it first in the record
 * transaction: the row lock it takes keeps rescue and `replace` out until commit.
 */
export async function finishTrigger(
  trx: Transaction<Database>,
  f: ClaimFence & { status: FinishedTriggerStatus; lastError?: string | null },
): Promise<boolean> {
  const result = await trx
    .updateTable("triggers")
    .set({
      status: f.status,
      last_error: f.lastError ?? null,
      lease_expires_at: null,
      finished_at: sql<Date>`now()`,
      updated_at: sql<Date>`now()`,
    })
    .where("id", "=", f.triggerId)
    .where("claimed_by", "=", f.workerId)
    .where("attempt", "=", f.attempt)
    .where("status", "=", "running")
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
