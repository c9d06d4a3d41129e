import type { Insertable, Selectable, Updateable } from "kysely";

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
}
export type ProjectRow = Selectable<ProjectsTable>;
export type NewProject = Insertable<ProjectsTable>;
export type ProjectUpdate = Updateable<ProjectsTable>;
