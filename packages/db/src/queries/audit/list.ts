import type { Db } from "../../pool.js";
import type { AuditEventRow } from "../../tables/audit-events.js";

export interface ListAuditEventsOptions {
  target?: string;
  actor?: string;
  action?: string;
  /** Keyset: only rows with a smaller id. */
  beforeId?: number;
  limit: number;
}

/** GET /audit: newest first, filtered by exact target, actor and action. */
export async function listAuditEvents(
  db: Db,
  o: ListAuditEventsOptions,
): Promise<AuditEventRow[]> {
  let q = db.selectFrom("audit_events").selectAll();
  if (o.target !== undefined) {
    q = q.where("target", "=", o.target);
  }
  if (o.actor !== undefined) {
    q = q.where("actor", "=", o.actor);
  }
  if (o.action !== undefined) {
    q = q.where("action", "=", o.action);
  }
  if (o.beforeId !== undefined) {
    q = q.where("id", "<", o.beforeId);
  }
  return q.orderBy("id", "desc").limit(o.limit).execute();
}
