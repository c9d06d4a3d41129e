import type { Db } from "../../pool.js";
import type { ExecutionRow } from "../../tables/executions.js";

export interface ListFinishedOptions {
  projectId?: string | undefined;
  /** Only executions that finished after this instant; omitted: the latest `limit`. */
  finishedAfter?: Date | undefined;
  limit: number;
}

/** Finished executions in the order they finished (oldest first), for `vigil tail`. */
export async function listFinishedExecutions(
  db: Db,
  o: ListFinishedOptions,
): Promise<ExecutionRow[]> {
  let q = db
    .selectFrom("executions")
    .selectAll()
    .where("finished_at", "is not", null);
  if (o.projectId !== undefined) {
    q = q.where("project_id", "=", o.projectId);
  }
  if (o.finishedAfter === undefined) {
    const latest = await q
      .orderBy("finished_at", "desc")
      .orderBy("id", "desc")
      .limit(o.limit)
      .execute();
    return latest.reverse();
  }
  return q
    .where("finished_at", ">", o.finishedAfter)
    .orderBy("finished_at")
    .orderBy("id")
    .limit(o.limit)
    .execute();
}
