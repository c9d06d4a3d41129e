import { sql } from "kysely";

import type { Db } from "../../pool.js";
import type { ApiTokenInfo } from "../../tables/api-tokens.js";
import { API_TOKEN_INFO_COLUMNS } from "./columns.js";

/**
 * Revokes a token (idempotent: a second revoke keeps the first time). Undefined when no
 * token has that name.
 */
export async function revokeApiToken(
  db: Db,
  name: string,
): Promise<ApiTokenInfo | undefined> {
  return db
    .updateTable("api_tokens")
    .set({ revoked_at: sql`coalesce(revoked_at, now())` })
    .where("name", "=", name)
    .returning(API_TOKEN_INFO_COLUMNS)
    .executeTakeFirst();
}
