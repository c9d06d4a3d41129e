import { sql } from "kysely";

import type { DbTransaction } from "../../pool.js";

/** Per-target transaction locks of audited writes: (class, hashtext(scope)). */
export const AUDIT_TARGET_LOCK_CLASS = 73_041;

/**
 * Serializes audited writes to one scope (a project id) until the transaction ends, so the
 * "before" a write records is the state no concurrent audited write is changing. Taken first,
 * before any row lock; callers taking several take them in sorted order.
 */
export async function lockAuditTarget(
  trx: DbTransaction,
  scope: string,
): Promise<void> {
  await sql`select pg_advisory_xact_lock(${AUDIT_TARGET_LOCK_CLASS}::int, hashtext(${scope}))`.execute(
    trx,
  );
}
