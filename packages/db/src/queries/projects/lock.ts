import { sql } from "kysely";

import type { DbTransaction } from "../../pool.js";

/**
 * The first statements of every write to a project (packages/db/README.md, "Lock order"):
 * the project row, then its schedules in id order. The trigger-creator takes the same locks in
 * the same order before it writes triggers, and the executors' claim locks projects first too,
 * so no two of them ever wait on each other in a cycle.
 *
 * `update` (FOR NO KEY UPDATE) is for changes that keep the project: it does not block foreign
 * key checks (FOR KEY SHARE), so the creator and the executors' recording go on writing rows
 * that refer to the project. `delete` (FOR UPDATE) is what deleting the row takes anyway;
 * taking it first makes the cascade start from a row nobody else can still be materializing.
 * The schedules are locked FOR UPDATE either way: a write may delete them.
 *
 * Returns false when the project does not exist (nothing is locked then).
 */
export async function lockProjectForWrite(
  trx: DbTransaction,
  projectId: string,
  mode: "update" | "delete" = "update",
): Promise<boolean> {
  const strength = mode === "delete" ? sql`for update` : sql`for no key update`;
  const { rows } = await sql<{ id: string }>`
    select id from projects where id = ${projectId} ${strength}`.execute(trx);
  if (rows.length === 0) {
    return false;
  }
  await sql`
    select id from schedules where project_id = ${projectId} order by id for update`.execute(
    trx,
  );
  return true;
}
