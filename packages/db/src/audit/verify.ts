import type { Db } from "../pool.js";
import { listAuditChainPage } from "../queries/audit/chain-page.js";
import { hashAuditEvent } from "./canonical.js";
import { AUDIT_PRUNE_ACTION, type AuditPruneRecord } from "./prune.js";

export type AuditChainVerdict =
  | {
      ok: true;
      /** Rows checked. */
      count: number;
      /** The oldest and newest row; null when the table is empty. */
      first_id: number | null;
      last_id: number | null;
    }
  | {
      ok: false;
      /** Rows checked and found intact before the broken one. */
      count: number;
      /** The first row that does not hold. */
      id: number;
      reason: "edited" | "deleted";
      message: string;
    };

/**
 * Walks the chain oldest first. The oldest remaining row's prev_hash is trusted as the
 * anchor (the cleaner prunes only a prefix); from there each row must hash to its stored
 * hash (else it was edited) and name its predecessor's hash as prev_hash (else a row
 * between them was deleted, or the predecessor's hash rewritten). When the chain holds
 * `audit.prune` rows (the cleaner's), the oldest row must be the one the newest of them
 * kept: rows deleted from the start by anything else are found too.
 */
export async function verifyAuditChain(
  db: Db,
  o: { pageSize?: number } = {},
): Promise<AuditChainVerdict> {
  const pageSize = o.pageSize ?? 1000;
  let count = 0;
  let first: number | null = null;
  let prev: { id: number; hash: string } | null = null;
  let lastPrune: { id: number; record: AuditPruneRecord } | null = null;
  for (;;) {
    const rows = await listAuditChainPage(db, {
      afterId: prev?.id ?? 0,
      limit: pageSize,
    });
    for (const row of rows) {
      if (prev !== null && row.prev_hash !== prev.hash) {
        return {
          ok: false,
          count,
          id: row.id,
          reason: "deleted",
          message: `audit row ${row.id}: prev_hash does not match the hash of row ${prev.id} before it: a row between them was deleted, or row ${prev.id} was rewritten with a new hash`,
        };
      }
      const expected = hashAuditEvent({ ...row, at: new Date(row.at) });
      if (expected !== row.hash) {
        return {
          ok: false,
          count,
          id: row.id,
          reason: "edited",
          message: `audit row ${row.id}: its content does not match its hash: the row was edited`,
        };
      }
      if (row.action === AUDIT_PRUNE_ACTION && row.actor === "system") {
        const after = (row.diff as { after?: AuditPruneRecord } | null)?.after;
        if (after !== undefined) {
          lastPrune = { id: row.id, record: after };
        }
      }
      first ??= row.id;
      prev = { id: row.id, hash: row.hash };
      count += 1;
    }
    if (rows.length < pageSize) {
      if (
        lastPrune !== null &&
        first !== null &&
        first !== lastPrune.record.oldest_kept_id
      ) {
        return {
          ok: false,
          count: 0,
          id: first,
          reason: "deleted",
          message: `audit row ${first} is the oldest, but the last prune (row ${lastPrune.id}) kept row ${lastPrune.record.oldest_kept_id} as the oldest: rows were deleted from the start of the chain outside a prune`,
        };
      }
      return { ok: true, count, first_id: first, last_id: prev?.id ?? null };
    }
  }
}
