import type { Db } from "../../pool.js";
import type { AuditEventRow } from "../../tables/audit-events.js";

/** The chain in id order, one page after `afterId` (0: from the oldest row). */
export async function listAuditChainPage(
  db: Db,
  o: { afterId: number; limit: number },
): Promise<AuditEventRow[]> {
  return db
    .selectFrom("audit_events")
    .selectAll()
    .where("id", ">", o.afterId)
    .orderBy("id")
    .limit(o.limit)
    .execute();
}
