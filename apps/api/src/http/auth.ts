import { createHash, timingSafeEqual } from "node:crypto";

import type { Request } from "express";

import { AppError } from "./app-error.js";

export type Access = "public" | "read" | "write";

export interface AuthOptions {
  /** Bearer tokens accepted for writes (and reads when required). */
  tokens: readonly string[];
  readTokenRequired: boolean;
}

export interface Authorizer {
  /**
   * Checks the request's bearer token for the route's access level. Returns a label for
   * `requested_by`/`uploaded_by` ("token-2": the token's 1-based position in API_TOKENS,
   * never the token), or null for anonymous reads. Throws 401 AppErrors with their
   * WWW-Authenticate challenge.
   */
  authorize(req: Request, access: Access): string | null;
}

/** RFC 6750: no credentials for this scheme answer a bare challenge... */
const noCredentials = (message: string) =>
  new AppError("unauthorized", message, null, {
    headers: { "WWW-Authenticate": "Bearer" },
  });
/** ...and a token that is not accepted names the error, so clients know to stop retrying it. */
const invalidToken = (message: string) =>
  new AppError("invalid_token", message, null, {
    headers: { "WWW-Authenticate": 'Bearer error="invalid_token"' },
  });

const digest = (value: string) =>
  createHash("sha256").update(value, "utf8").digest();

/**
 * Constant-time token check: every configured token is compared (no early exit) on
 * SHA-256 digests, so neither the position of a match nor the tokens' lengths leak
 * through timing.
 */
export function createAuthorizer({
  tokens,
  readTokenRequired,
}: AuthOptions): Authorizer {
  const digests = tokens.map(digest);
  const findToken = (presented: string): number => {
    const d = digest(presented);
    let found = -1;
    digests.forEach((candidate, i) => {
      if (timingSafeEqual(candidate, d) && found === -1) {
        found = i;
      }
    });
    return found;
  };
  return {
    authorize(req, access) {
      if (access === "public" || (access === "read" && !readTokenRequired)) {
        return null;
      }
      const header = req.headers.authorization;
      if (header === undefined || header === "") {
        throw noCredentials(
          "missing Authorization header; send 'Authorization: Bearer <token>'",
        );
      }
      // RFC 7235: the scheme is case-insensitive and followed by one or more spaces
      const match = /^bearer +([\x21-\x7e]{1,512}) *$/i.exec(header);
      if (match === null) {
        throw /^bearer(?: |$)/i.test(header)
          ? invalidToken("malformed bearer token")
          : noCredentials(
              "malformed Authorization header; expected 'Bearer <token>'",
            );
      }
      if (digests.length === 0) {
        throw invalidToken("this API accepts no tokens (API_TOKENS is empty)");
      }
      const index = findToken(match[1] ?? "");
      if (index === -1) {
        throw invalidToken("the bearer token is not accepted");
      }
      return `token-${index + 1}`;
    },
  };
}
