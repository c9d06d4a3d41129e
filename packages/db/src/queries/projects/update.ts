import { sql } from "kysely";

import type { Db } from "../../pool.js";
import { inTransaction } from "../../transaction.js";
import { toJson, type JsonObject } from "../../tables/common.js";
import type { ProjectRow } from "../../tables/projects.js";
import { lockProjectForWrite } from "./lock.js";

export interface ProjectPatch {
  name?: string;
  description?: string;
  is_active?: boolean;
  config?: JsonObject;
}

/**
 * Changes a project's settings and bumps its version; undefined when it does not exist.
 * Its own transaction (or the caller's) in the lock order of lockProjectForWrite: a change of
 * `is_active` updates every schedule of the project, which are locked in id order first.
 */
export async function updateProject(
  db: Db,
  id: string,
  patch: ProjectPatch,
): Promise<ProjectRow | undefined> {
  return inTransaction(db, async (trx) => {
    if (!(await lockProjectForWrite(trx, id))) {
      return undefined;
    }
    return trx
      .updateTable("projects")
      .set({
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.description !== undefined && {
          description: patch.description,
        }),
        ...(patch.is_active !== undefined && { is_active: patch.is_active }),
        ...(patch.config !== undefined && { config: toJson(patch.config) }),
        version: sql<number>`version + 1`,
        updated_at: sql<Date>`now()`,
      })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirst();
  });
}
