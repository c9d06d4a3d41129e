import type { Transaction } from "kysely";

import type { Database } from "../../database.js";
import { toJson } from "../../tables/common.js";
import type { ProjectRow } from "../../tables/projects.js";
import type { RuleRow } from "../../tables/rules.js";
import type { ScheduleRow } from "../../tables/schedules.js";
import type { ApplyProjectInput } from "./apply.js";

export interface CreatedProject {
  project: ProjectRow;
  schedules: ScheduleRow[];
  rules: RuleRow[];
}

/**
 * Inserts a new project with its schedules and rules. Must run in the caller's
 * transaction so that a failing rule or schedule leaves no project behind. The insert is its
 * first statement: the new row is locked before its schedules exist (the lock order of
 * lockProjectForWrite).
 * @throws the unique violation (23505) when the project id or a rule id is taken
 */
export async function createProject(
  trx: Transaction<Database>,
  p: ApplyProjectInput,
): Promise<CreatedProject> {
  const project = await trx
    .insertInto("projects")
    .values({
      id: p.id,
      name: p.name,
      description: p.description,
      config: toJson(p.config),
      is_active: p.is_active,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const schedules =
    p.schedules.length === 0
      ? []
      : await trx
          .insertInto("schedules")
          .values(p.schedules.map((s) => ({ project_id: p.id, ...s })))
          .returningAll()
          .execute();
  const rules =
    p.rules.length === 0
      ? []
      : await trx
          .insertInto("rules")
          .values(
            p.rules.map((r) => ({
              project_id: p.id,
              ...r,
              parameters: toJson(r.parameters),
              dependencies: toJson(r.dependencies),
            })),
          )
          .returningAll()
          .execute();
  return { project, schedules, rules };
}
