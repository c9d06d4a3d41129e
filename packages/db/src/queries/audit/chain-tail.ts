import type { Db } from "../../pool.js";

/** The oldest remaining audit row's id and prev_hash (the chain's anchor); undefined when empty. */
export async function getAuditChainTail(
  db: Db,
): Promise<{ id: number; prev_hash: string | null } | undefined> {
  return db
    .selectFrom("audit_events")
    .select(["id", "prev_hash"])
    .orderBy("id")
    .limit(1)
    .executeTakeFirst();
}
