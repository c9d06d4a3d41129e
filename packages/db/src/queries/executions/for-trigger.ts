import type { Db } from "../../pool.js";
import type { ExecutionRow } from "../../tables/executions.js";
import type { TriggerRow } from "../../tables/triggers.js";

/** A trigger and its newest execution (attempt), for `vigil run --wait`. */
export async function getTriggerProgress(
  db: Db,
  triggerId: number,
): Promise<
  { trigger: TriggerRow; execution: ExecutionRow | undefined } | undefined
> {
  const trigger = await db
    .selectFrom("triggers")
    .selectAll()
    .where("id", "=", triggerId)
    .executeTakeFirst();
  if (!trigger) {
    return undefined;
  }
  const execution = await db
    .selectFrom("executions")
    .selectAll()
    .where("trigger_id", "=", triggerId)
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  return { trigger, execution };
}
