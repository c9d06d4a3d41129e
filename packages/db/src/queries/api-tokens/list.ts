import type { Db } from "../../pool.js";
import type { ApiTokenInfo } from "../../tables/api-tokens.js";
import { API_TOKEN_INFO_COLUMNS } from "./columns.js";

/** Every token, revoked and expired ones included, by name; never the hash. */
export async function listApiTokens(db: Db): Promise<ApiTokenInfo[]> {
  return db
    .selectFrom("api_tokens")
    .select(API_TOKEN_INFO_COLUMNS)
    .orderBy("name")
    .execute();
}
