import type { Insertable, Selectable, Updateable } from "kysely";

import type {
  CreatedAt,
  Id,
  JsonObject,
  JsonValue,
  JsonWithDefault,
  Nullable,
  Severity,
  WithDefault,
} from "./common.js";

export interface RulesTable {
  id: Id;
  project_id: string;
  rule_id: string;
  definition_id: Nullable<string>;
  description: WithDefault<string>;
  category: WithDefault<string>;
  severity: WithDefault<Severity>;
  logic: WithDefault<string>;
  code: string;
  explanation: WithDefault<string>;
  parameters: JsonWithDefault<JsonObject>;
  dependencies: JsonWithDefault<JsonValue[]>;
  is_active: WithDefault<boolean>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}
export type RuleRow = Selectable<RulesTable>;
export type NewRule = Insertable<RulesTable>;
export type RuleUpdate = Updateable<RulesTable>;
