import type { DbTransaction } from "../../pool.js";
import { toJson, type JsonValue } from "../../tables/common.js";

export interface AuditInsert {
  id: number;
  at: Date;
  actor: string;
  action: string;
  target: string;
  request_id: string | null;
  diff: JsonValue;
  prev_hash: string | null;
  hash: string;
}

/** Stores one audit row exactly as hashed (id and time come from reserveAuditSlot). */
export async function insertAuditEvent(
  trx: DbTransaction,
  row: AuditInsert,
): Promise<void> {
  await trx
    .insertInto("audit_events")
    .values({ ...row, diff: toJson(row.diff) })
    .execute();
}
