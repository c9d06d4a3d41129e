import type { DbTransaction } from "../pool.js";
import { insertAuditEvent } from "../queries/audit/insert.js";
import { lockAuditChain } from "../queries/audit/lock-chain.js";
import { reserveAuditSlot } from "../queries/audit/reserve.js";
import { hashAuditEvent } from "./canonical.js";
import { redactSecrets } from "./redact.js";

export interface AuditEventInput {
  /** A token's name, `cli:<os user>`, or `system`. */
  actor: string;
  /** `<kind>.<verb>`: project.update, schedule.create, ... */
  action: string;
  /** `<kind>:<key>`: project:orders, schedule:12, ... */
  target: string;
  requestId: string | null;
  /** Before/after state; redacted (redactSecrets) before it is hashed and stored. */
  diff: { before: unknown; after: unknown } | Record<string, unknown>;
}

export interface AppendedAuditEvent {
  id: number;
  hash: string;
}

/**
 * Appends one row to the audit chain in the caller's transaction, so it commits with the
 * change it records or not at all. Call it last, after the write itself: the chain lock is
 * then held only for three short statements and the commit.
 */
export async function appendAuditEvent(
  trx: DbTransaction,
  e: AuditEventInput,
): Promise<AppendedAuditEvent> {
  await lockAuditChain(trx);
  const slot = await reserveAuditSlot(trx);
  const row = {
    prev_hash: slot.prev_hash,
    id: Number(slot.id),
    at: new Date(slot.at),
    actor: e.actor,
    action: e.action,
    target: e.target,
    request_id: e.requestId,
    diff: redactSecrets(e.diff),
  };
  const hash = hashAuditEvent(row);
  await insertAuditEvent(trx, { ...row, hash });
  return { id: row.id, hash };
}
