import type { Db } from "../../pool.js";
import type { JsonValue } from "../../tables/common.js";
import type { DryRunRequestStatus } from "../../tables/dry-run-requests.js";

export interface DryRunRequestState {
  status: DryRunRequestStatus;
  workerId: string | null;
  answer: JsonValue | null;
}

/** A dry run's state and answer, read by the API that waits for it; undefined when gone. */
export async function getDryRunRequest(
  db: Db,
  id: number,
): Promise<DryRunRequestState | undefined> {
  const row = await db
    .selectFrom("dry_run_requests")
    .select(["status", "worker_id", "answer"])
    .where("id", "=", id)
    .executeTakeFirst();
  return row
    ? { status: row.status, workerId: row.worker_id, answer: row.answer }
    : undefined;
}
