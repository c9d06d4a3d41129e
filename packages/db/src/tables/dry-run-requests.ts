import type { Selectable } from "kysely";

import type {
  CreatedAt,
  Id,
  Json,
  Nullable,
  NullableJson,
  NullableTimestamp,
  Timestamp,
  WithDefault,
} from "./common.js";

export type DryRunRequestStatus = "pending" | "running" | "done";

/** A dry run the API waits for and an executor runs (migrations/0029_dry_run_requests.sql). */
export interface DryRunRequestsTable {
  id: Id;
  project_id: string;
  /** The body as DryRunRequestSchema parsed it. */
  request: Json;
  token_name: Nullable<string>;
  status: WithDefault<DryRunRequestStatus>;
  /** What the executor's `dryRunProject` answered, or the error that stopped it. */
  answer: NullableJson;
  worker_id: Nullable<string>;
  lease_expires_at: NullableTimestamp;
  /** When the API stops waiting; no executor starts the request after it. */
  expires_at: Timestamp;
  created_at: CreatedAt;
  finished_at: NullableTimestamp;
}
export type DryRunRequestRow = Selectable<DryRunRequestsTable>;
