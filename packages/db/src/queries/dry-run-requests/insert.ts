import { sql } from "kysely";

import type { Db } from "../../pool.js";
import { toJson, type JsonValue } from "../../tables/common.js";

export interface NewDryRunRequest {
  projectId: string;
  /** The parsed request body; never a secret. */
  request: JsonValue;
  tokenName: string | null;
  /** How long the caller waits for an answer; no executor starts it later. */
  waitSeconds: number;
}

/** Queues a dry run for the executors (the insert NOTIFYs vigil_dry_runs); returns its id. */
export async function insertDryRunRequest(
  db: Db,
  o: NewDryRunRequest,
): Promise<number> {
  const row = await db
    .insertInto("dry_run_requests")
    .values({
      project_id: o.projectId,
      request: toJson(o.request),
      token_name: o.tokenName,
      expires_at: sql<Date>`now() + make_interval(secs => ${o.waitSeconds})`,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}
