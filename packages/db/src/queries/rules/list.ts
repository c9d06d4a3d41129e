import type { Db } from "../../pool.js";
import type { RuleRow } from "../../tables/rules.js";

/** A project's rules in rule_id order. */
export async function listProjectRules(
  db: Db,
  projectId: string,
): Promise<RuleRow[]> {
  return db
    .selectFrom("rules")
    .selectAll()
    .where("project_id", "=", projectId)
    .orderBy("rule_id")
    .execute();
}

/** Every rule (for POST /projects/refresh). */
export async function listAllRules(db: Db): Promise<RuleRow[]> {
  return db
    .selectFrom("rules")
    .selectAll()
    .orderBy("project_id")
    .orderBy("rule_id")
    .execute();
}
