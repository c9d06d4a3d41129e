import type {
  GeneratedAlways,
  Insertable,
  Selectable,
  Updateable,
} from "kysely";

import type { CreatedAt, Json, JsonObject, WithDefault } from "./common.js";

export interface ProjectsTable {
  id: string;
  name: string;
  description: WithDefault<string>;
  config: Json<JsonObject>;
  is_active: WithDefault<boolean>;
  version: WithDefault<number>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
  /** Derived by PostgreSQL from `config` (migrations/0015_claim_limits.sql), for the claim. */
  max_concurrency: GeneratedAlways<number>;
  max_attempts: GeneratedAlways<number>;
  /** `config.team`: the team whose TEAM_MAX_RUNNING limit the project's runs count against. */
  team: GeneratedAlways<string | null>;
}
export type ProjectRow = Selectable<ProjectsTable>;
export type NewProject = Insertable<ProjectsTable>;
export type ProjectUpdate = Updateable<ProjectsTable>;
