import type { Db } from "../../pool.js";
import {
  toJson,
  type JsonObject,
  type JsonValue,
  type Severity,
} from "../../tables/common.js";
import type { RuleRow } from "../../tables/rules.js";

export interface RuleFields {
  rule_id: string;
  definition_id: string | null;
  description: string;
  category: string;
  severity: Severity;
  logic: string;
  code: string;
  explanation: string;
  parameters: JsonObject;
  dependencies: JsonValue[];
  is_active: boolean;
}

/** @throws 23505 when the project already has this rule_id, 23503 when the project is gone */
export async function createRule(
  db: Db,
  projectId: string,
  r: RuleFields,
): Promise<RuleRow> {
  return db
    .insertInto("rules")
    .values({
      project_id: projectId,
      ...r,
      parameters: toJson(r.parameters),
      dependencies: toJson(r.dependencies),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}
