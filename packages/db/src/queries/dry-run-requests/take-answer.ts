import type { Db } from "../../pool.js";
import type { JsonValue } from "../../tables/common.js";

/**
 * The answer of a dry run, if written, deleting its row in the same statement (the API reads an
 * answer once); undefined while it is still pending or running, or when the row is gone.
 */
export async function takeDryRunAnswer(
  db: Db,
  id: number,
): Promise<JsonValue | undefined> {
  const row = await db
    .deleteFrom("dry_run_requests")
    .where("id", "=", id)
    .where("status", "=", "done")
    .returning("answer")
    .executeTakeFirst();
  return row?.answer ?? undefined;
}
