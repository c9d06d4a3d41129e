import { createHash, randomBytes } from "node:crypto";

/** Every secret starts with this, so secret scanners and people can tell what it is. */
export const API_TOKEN_PREFIX = "vgl_";

/** A new token secret: `vgl_` and 32 random bytes in base64url (43 characters). */
export function newApiTokenSecret(): string {
  return API_TOKEN_PREFIX + randomBytes(32).toString("base64url");
}

/** What api_tokens.secret_hash stores: the hex SHA-256 of the secret. */
export function apiTokenSecretHash(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}
