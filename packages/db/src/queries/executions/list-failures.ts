import { sql } from "kysely";

import type { Db } from "../../pool.js";
import type { ExecutionStatus } from "../../tables/executions.js";
import { EXECUTION_LIST_COLUMNS, type ExecutionListItem } from "./list.js";

export interface ListRecentFailuresOptions {
  /** Executions created at or after this instant. */
  since: Date;
  statuses: readonly ExecutionStatus[];
  limit: number;
  projectId?: string | undefined;
  /** Only these projects (a project-limited token); empty: none. */
  projectIds?: readonly string[] | undefined;
}

/**
 * The latest executions in `statuses` across projects, newest first: what an operator's
 * overview shows as recent failures. The ids come from a backward scan of
 * executions_created_covering_idx, which holds project_id and status, so the scan reads no
 * table row and stops at `since` even when failures are rare; then those rows by key.
 */
export async function listRecentFailures(
  db: Db,
  o: ListRecentFailuresOptions,
): Promise<ExecutionListItem[]> {
  let ids = db
    .selectFrom("executions")
    .select("id")
    .where("created_at", ">=", o.since)
    .where("status", "in", [...o.statuses]);
  if (o.projectId !== undefined) {
    ids = ids.where("project_id", "=", o.projectId);
  }
  if (o.projectIds !== undefined) {
    ids = ids.where(
      sql<boolean>`project_id = any(${[...o.projectIds]}::text[])`,
    );
  }
  return db
    .selectFrom("executions")
    .select(EXECUTION_LIST_COLUMNS)
    .where(
      "id",
      "in",
      ids.orderBy("created_at", "desc").orderBy("id", "desc").limit(o.limit),
    )
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .execute();
}
