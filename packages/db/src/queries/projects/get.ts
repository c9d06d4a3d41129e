import type { Db } from "../../pool.js";
import type { ProjectRow } from "../../tables/projects.js";

export async function getProject(
  db: Db,
  id: string,
): Promise<ProjectRow | undefined> {
  return db
    .selectFrom("projects")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
}
