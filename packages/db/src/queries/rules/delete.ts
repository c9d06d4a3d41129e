import type { Db } from "../../pool.js";

export async function deleteRule(
  db: Db,
  projectId: string,
  ruleId: string,
): Promise<boolean> {
  const result = await db
    .deleteFrom("rules")
    .where("project_id", "=", projectId)
    .where("rule_id", "=", ruleId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
