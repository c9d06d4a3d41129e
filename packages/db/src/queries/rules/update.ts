import { sql } from "kysely";

import type { Db } from "../../pool.js";
import { toJson } from "../../tables/common.js";
import type { RuleRow } from "../../tables/rules.js";
import type { RuleFields } from "./create.js";

/** Changes a rule (its rule_id stays: it names the rule in findings and discrepancies). */
export async function updateRule(
  db: Db,
  projectId: string,
  ruleId: string,
  patch: Partial<Omit<RuleFields, "rule_id">>,
): Promise<RuleRow | undefined> {
  const { parameters, dependencies, ...plain } = patch;
  return db
    .updateTable("rules")
    .set({
      ...plain,
      ...(parameters !== undefined && { parameters: toJson(parameters) }),
      ...(dependencies !== undefined && { dependencies: toJson(dependencies) }),
      updated_at: sql<Date>`now()`,
    })
    .where("project_id", "=", projectId)
    .where("rule_id", "=", ruleId)
    .returningAll()
    .executeTakeFirst();
}
