import { sql } from "kysely";

import type { DbTransaction } from "../../pool.js";

/** The audit chain's transaction lock: (class, 0) in the two-int advisory space. */
export const AUDIT_CHAIN_LOCK_CLASS = 73_040;

/**
 * Serializes appends to the audit chain until the caller's transaction ends, so each new
 * row reads the head its predecessor committed. Taken last in a write's transaction (after
 * its row locks) and held only until commit: a holder never waits on another lock.
 */
export async function lockAuditChain(trx: DbTransaction): Promise<void> {
  await sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK_CLASS}::int, 0)`.execute(
    trx,
  );
}
