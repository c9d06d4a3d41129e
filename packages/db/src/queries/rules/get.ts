import type { Db } from "../../pool.js";
import type { RuleRow } from "../../tables/rules.js";

export async function getProjectRule(
  db: Db,
  projectId: string,
  ruleId: string,
): Promise<RuleRow | undefined> {
  return db
    .selectFrom("rules")
    .selectAll()
    .where("project_id", "=", projectId)
    .where("rule_id", "=", ruleId)
    .executeTakeFirst();
}
