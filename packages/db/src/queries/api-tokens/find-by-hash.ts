import type { Db } from "../../pool.js";
import type { ApiTokenRow } from "../../tables/api-tokens.js";

/** The token whose secret hashes to this (the UNIQUE index on secret_hash), revoked or not. */
export async function findApiTokenByHash(
  db: Db,
  secretHash: string,
): Promise<ApiTokenRow | undefined> {
  return db
    .selectFrom("api_tokens")
    .selectAll()
    .where("secret_hash", "=", secretHash)
    .executeTakeFirst();
}
