import type { Kysely } from "kysely";

import type { Database } from "../../database.js";
import type { DatasetRow } from "../../tables/datasets.js";

/** The newest dataset uploaded for a project (the `manual` data source), or undefined. */
export async function getLatestDataset(
  db: Kysely<Database>,
  projectId: string,
): Promise<DatasetRow | undefined> {
  return db
    .selectFrom("datasets")
    .selectAll()
    .where("project_id", "=", projectId)
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
}
