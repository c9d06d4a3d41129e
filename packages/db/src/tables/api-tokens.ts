import type { Selectable } from "kysely";

import type { CreatedAt, Nullable, NullableTimestamp } from "./common.js";

/** What a token may do (migrations/0016_api_tokens.sql checks the same four). */
export type ApiTokenScope = "read" | "write" | "triage" | "admin";

/** migrations/0016_api_tokens.sql: bearer tokens as data; only the secret's SHA-256 is kept. */
export interface ApiTokensTable {
  name: string;
  secret_hash: string;
  scopes: ApiTokenScope[];
  /** null: every project. */
  projects: Nullable<string[]>;
  created_at: CreatedAt;
  created_by: string;
  last_used_at: NullableTimestamp;
  expires_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}
export type ApiTokenRow = Selectable<ApiTokensTable>;
/** A token as lists show it: everything but the hash. */
export type ApiTokenInfo = Omit<ApiTokenRow, "secret_hash">;
