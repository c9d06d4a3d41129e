import type { Selectable } from "kysely";

import type { Id, Json, JsonValue, Nullable, Timestamp } from "./common.js";

/** migrations/0017_audit_events.sql: the hash-chained audit trail. */
export interface AuditEventsTable {
  id: Id;
  at: Timestamp;
  actor: string;
  action: string;
  target: string;
  request_id: Nullable<string>;
  diff: Json<JsonValue>;
  prev_hash: Nullable<string>;
  hash: string;
}
export type AuditEventRow = Selectable<AuditEventsTable>;
