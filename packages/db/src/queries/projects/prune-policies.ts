import { sql } from "kysely";

import type { Db } from "../../pool.js";
import type { JsonValue } from "../../tables/common.js";

export interface ProjectRetentionOverride {
  projectId: string;
  /** `config.retention` as stored (validated by the API on write), or null when absent. */
  retention: JsonValue | null;
}

/**
 * Every project (active or not: a suspended project's history still ages) with its
 * `config.retention` override, in id order. One row per project, so it stays small.
 */
export async function listProjectRetentionOverrides(
  db: Db,
): Promise<ProjectRetentionOverride[]> {
  const rows = await db
    .selectFrom("projects")
    .select([
      "id",
      sql<JsonValue | null>`config -> 'retention'`.as("retention"),
    ])
    .orderBy("id")
    .execute();
  return rows.map((r) => ({ projectId: r.id, retention: r.retention }));
}
