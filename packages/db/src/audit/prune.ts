import type { Db } from "../pool.js";
import { getAuditChainTail } from "../queries/audit/chain-tail.js";
import { pruneAuditEvents } from "../queries/audit/prune.js";
import { appendAuditEvent } from "./append.js";

/** What an `audit.prune` row records: how many went and which row is the new anchor. */
export interface AuditPruneRecord {
  deleted: number;
  oldest_kept_id: number;
  anchor: string | null;
}

export const AUDIT_PRUNE_ACTION = "audit.prune";

/**
 * One retention batch of the audit trail (pruneAuditEvents) and, when it deleted rows, an
 * `audit.prune` row by `system` naming the oldest row kept, in one transaction: a prune and
 * its record commit together. verifyAuditChain checks the chain starts at the row the newest
 * record names, so rows taken off the start by hand do not pass for a prune.
 */
export async function pruneAuditBatch(
  db: Db,
  o: { olderThanDays: number; limit: number },
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const deleted = await pruneAuditEvents(trx, o);
    const tail = deleted > 0 ? await getAuditChainTail(trx) : undefined;
    if (tail !== undefined) {
      const after: AuditPruneRecord = {
        deleted,
        oldest_kept_id: tail.id,
        anchor: tail.prev_hash,
      };
      await appendAuditEvent(trx, {
        actor: "system",
        action: AUDIT_PRUNE_ACTION,
        target: "audit",
        requestId: null,
        diff: { before: null, after },
      });
    }
    return deleted;
  });
}
