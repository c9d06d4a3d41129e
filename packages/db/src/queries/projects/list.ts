import { sql } from "kysely";

import type { Db } from "../../pool.js";
import type { ProjectRow } from "../../tables/projects.js";

export interface ListProjectsOptions {
  /** Keyset cursor: only ids sorting after this one. */
  afterId?: string;
  limit: number;
  isActive?: boolean;
  /** Only these projects (a project-limited token's list). */
  ids?: readonly string[];
}

export type ProjectListItem = ProjectRow & {
  schedules_count: number;
  rules_count: number;
};

/** Projects in id order, one page at a time (keyset on the primary key: stable under inserts). */
export async function listProjects(
  db: Db,
  o: ListProjectsOptions,
): Promise<ProjectListItem[]> {
  let q = db
    .selectFrom("projects as p")
    .selectAll("p")
    .select((eb) => [
      eb
        .selectFrom("schedules as s")
        .select(eb.fn.countAll<number>().as("n"))
        .whereRef("s.project_id", "=", "p.id")
        .as("schedules_count"),
      eb
        .selectFrom("rules as r")
        .select(eb.fn.countAll<number>().as("n"))
        .whereRef("r.project_id", "=", "p.id")
        .as("rules_count"),
    ])
    .orderBy("p.id")
    .limit(o.limit);
  if (o.afterId !== undefined) {
    q = q.where("p.id", ">", o.afterId);
  }
  if (o.isActive !== undefined) {
    q = q.where("p.is_active", "=", o.isActive);
  }
  if (o.ids !== undefined) {
    q = q.where(sql<boolean>`p.id = any(${[...o.ids]}::text[])`);
  }
  const rows = await q.execute();
  return rows.map((r) => ({
    ...r,
    schedules_count: Number(r.schedules_count ?? 0),
    rules_count: Number(r.rules_count ?? 0),
  }));
}

/** Every project (for POST /projects/refresh, which re-validates them all). */
export async function listAllProjects(db: Db): Promise<ProjectRow[]> {
  return db.selectFrom("projects").selectAll().orderBy("id").execute();
}
