import type { Db } from "../../pool.js";
import type { ApiTokenInfo, ApiTokenScope } from "../../tables/api-tokens.js";
import { API_TOKEN_INFO_COLUMNS } from "./columns.js";

export interface NewApiToken {
  name: string;
  /** Hex SHA-256 of the secret (apiTokenSecretHash); the secret itself is never stored. */
  secretHash: string;
  scopes: readonly ApiTokenScope[];
  /** null: every project. */
  projects: readonly string[] | null;
  createdBy: string;
  expiresAt: Date | null;
}

/** @throws 23505 when a token of that name exists (revoked ones too: names are never reused) */
export async function insertApiToken(
  db: Db,
  t: NewApiToken,
): Promise<ApiTokenInfo> {
  return db
    .insertInto("api_tokens")
    .values({
      name: t.name,
      secret_hash: t.secretHash,
      scopes: [...t.scopes],
      projects: t.projects === null ? null : [...t.projects],
      created_by: t.createdBy,
      expires_at: t.expiresAt,
    })
    .returning(API_TOKEN_INFO_COLUMNS)
    .executeTakeFirstOrThrow();
}
