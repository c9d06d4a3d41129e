/** Every column but secret_hash: what lists and answers may show. */
export const API_TOKEN_INFO_COLUMNS = [
  "name",
  "scopes",
  "projects",
  "created_at",
  "created_by",
  "last_used_at",
  "expires_at",
  "revoked_at",
] as const;
