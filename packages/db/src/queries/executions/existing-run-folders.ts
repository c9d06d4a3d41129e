import { sql } from "kysely";

import type { Db } from "../../pool.js";

/**
 * Of the run folders `WORK_DIR/<project>/runs/<execution>/` given, those whose execution row
 * still exists for that project, as `runFolderKey`s: one lookup on the primary key for the
 * whole batch. A folder left out of the answer outlived its execution (pruned by the cleaner, or its
 * project deleted) and may go.
 */
export const runFolderKey = (projectId: string, executionId: number) =>
  `${projectId}/${executionId}`;

export async function existingRunFolderExecutions(
  db: Db,
  folders: readonly { projectId: string; executionId: number }[],
): Promise<Set<string>> {
  if (folders.length === 0) {
    return new Set();
  }
  const ids = folders.map((f) => f.executionId);
  const projects = folders.map((f) => f.projectId);
  const rows = await db
    .selectFrom("executions")
    .select(["id", "project_id"])
    .where(
      sql<boolean>`(id, project_id) in (select * from unnest(${ids}::bigint[], ${projects}::text[]))`,
    )
    .execute();
  return new Set(rows.map((r) => runFolderKey(r.project_id, Number(r.id))));
}
