import type { Kysely } from "kysely";

import type { Database } from "../../database.js";
import type { ProjectRow } from "../../tables/projects.js";
import type { RuleRow } from "../../tables/rules.js";
import { listActiveRules } from "../rules/list-active.js";

export interface ProjectForRun {
  project: ProjectRow;
  /** Active rules, in rule_id order (the detector hash sorts them anyway). */
  rules: RuleRow[];
}

/** Loads what one run needs: the project row and its active rules. Undefined if the project is gone. */
export async function getProjectForRun(
  db: Kysely<Database>,
  projectId: string,
): Promise<ProjectForRun | undefined> {
  const [project, rules] = await Promise.all([
    db
      .selectFrom("projects")
      .selectAll()
      .where("id", "=", projectId)
      .executeTakeFirst(),
    listActiveRules(db, projectId),
  ]);
  return project ? { project, rules } : undefined;
}
