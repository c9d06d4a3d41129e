import type { Kysely } from "kysely";

import type { Database } from "../../database.js";
import type { RuleRow } from "../../tables/rules.js";

/** A project's active rules, in rule_id order. */
export async function listActiveRules(
  db: Kysely<Database>,
  projectId: string,
): Promise<RuleRow[]> {
  return db
    .selectFrom("rules")
    .selectAll()
    .where("project_id", "=", projectId)
    .where("is_active", "=", true)
    .orderBy("rule_id")
    .execute();
}
