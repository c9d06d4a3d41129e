import type { Insertable, Selectable } from "kysely";

import type { CreatedAt, Id, NullableJson, Severity } from "./common.js";

export interface FindingsTable {
  id: Id;
  execution_id: number;
  project_id: string;
  rule_id: string;
  severity: Severity;
  fingerprint: string;
  finding_key: string;
  message: string;
  data: NullableJson;
  created_at: CreatedAt;
}
export type FindingRow = Selectable<FindingsTable>;
export type NewFinding = Insertable<FindingsTable>;
