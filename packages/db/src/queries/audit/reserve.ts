import { sql } from "kysely";

import type { DbTransaction } from "../../pool.js";

export interface AuditSlot {
  /** The hash of the newest row, null when the table is empty. */
  prev_hash: string | null;
  id: number;
  at: Date;
}

/**
 * The next row's id, time (milliseconds, database clock) and predecessor's hash, in one
 * round trip. Only under lockAuditChain: then ids follow commit order.
 */
export async function reserveAuditSlot(trx: DbTransaction): Promise<AuditSlot> {
  const { rows } = await sql<AuditSlot>`
    select (select hash from audit_events order by id desc limit 1) as prev_hash,
           nextval(pg_get_serial_sequence('audit_events', 'id')) as id,
           date_trunc('milliseconds', clock_timestamp()) as at`.execute(trx);
  return rows[0]!;
}
