import { sql } from "kysely";

import type { Db } from "../../pool.js";

/** Where the keep-last rule and the "latest finished" rule cut one project's executions. */
export interface ExecutionCutoffs {
  /** Rows with `id <= beyondKeepLastId` are older than the newest `keepLast`; null: none are. */
  beyondKeepLastId: number | null;
  /** The project's newest finished execution, never pruned; null: nothing finished yet. */
  latestFinishedId: number | null;
}

/**
 * Reads both cutoffs in one statement, each an index-only walk of executions
 * (project_id, id DESC): the (keepLast + 1)-th newest row of any status, and the newest
 * finished one. Computed once per pass, so concurrent cleaners agree on them and newer
 * executions written during the pass can only move the real cutoffs up, never down.
 */
export async function findExecutionCutoffs(
  db: Db,
  { projectId, keepLast }: { projectId: string; keepLast: number },
): Promise<ExecutionCutoffs> {
  const { rows } = await sql<{
    beyond_keep_last_id: number | null;
    latest_finished_id: number | null;
  }>`
    SELECT
      (SELECT id FROM executions WHERE project_id = ${projectId}
        ORDER BY id DESC OFFSET ${keepLast} LIMIT 1) AS beyond_keep_last_id,
      (SELECT id FROM executions WHERE project_id = ${projectId}
        AND status NOT IN ('pending', 'running')
        ORDER BY id DESC LIMIT 1) AS latest_finished_id`.execute(db);
  const row = rows[0];
  return {
    beyondKeepLastId: row?.beyond_keep_last_id ?? null,
    latestFinishedId: row?.latest_finished_id ?? null,
  };
}
