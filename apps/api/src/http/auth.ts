import { createHash, timingSafeEqual } from "node:crypto";

import { API_SCOPES, type Scope } from "@vigil/contracts";
import type { Request } from "express";

import { AppError } from "./app-error.js";
import type { TokenStore } from "./token-store.js";

/** `public` routes take no token; every other route needs a token with that scope. */
export type Access = "public" | Scope;

/** Who is calling: a token's name, what it may do, and which projects it sees. */
export interface Principal {
  /** The token's name; `api-token-<N>` for the N-th API_TOKENS entry. */
  name: string;
  scopes: Scope[];
  /** null: every project. */
  projects: string[] | null;
}

export interface AuthResult {
  /** The actor name (the principal's name), null for anonymous reads. */
  caller: string | null;
  principal: Principal | null;
}

export interface AuthOptions {
  /** API_TOKENS: admin tokens with every scope and project, named `api-token-<N>`. */
  tokens: readonly string[];
  readTokenRequired: boolean;
  /** Tokens as data (api_tokens); absent: only API_TOKENS are accepted. */
  store?: TokenStore;
  now?: () => Date;
}

export interface Authorizer {
  /**
   * Checks the request's bearer token for the route's access. Throws 401 AppErrors with
   * their WWW-Authenticate challenge, and a 403 naming the scope the token lacks.
   */
  authorize(req: Request, access: Access): Promise<AuthResult>;
}

const ANONYMOUS: AuthResult = { caller: null, principal: null };

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
const insufficientScope = (scope: Scope) =>
  new AppError(
    "forbidden",
    `this token lacks the scope "${scope}"`,
    { required_scope: scope },
    {
      headers: {
        "WWW-Authenticate": `Bearer error="insufficient_scope", scope="${scope}"`,
      },
    },
  );

const digest = (value: string) =>
  createHash("sha256").update(value, "utf8").digest();

/**
 * API_TOKENS are compared in constant time on SHA-256 digests, every one every time (no
 * early exit), so neither the position of a match nor the tokens' lengths leak through
 * timing. Any other token is looked up by its SHA-256 in api_tokens (through the store's
 * short cache) and its stored hash compared in constant time as well.
 */
export function createAuthorizer({
  tokens,
  readTokenRequired,
  store,
  now = () => new Date(),
}: AuthOptions): Authorizer {
  const digests = tokens.map(digest);
  const envToken = (d: Buffer): Principal | undefined => {
    let found = -1;
    digests.forEach((candidate, i) => {
      if (timingSafeEqual(candidate, d) && found === -1) {
        found = i;
      }
    });
    return found === -1
      ? undefined
      : {
          name: `api-token-${found + 1}`,
          scopes: [...API_SCOPES],
          projects: null,
        };
  };
  const storedToken = async (d: Buffer): Promise<Principal | undefined> => {
    const row = await store?.find(d.toString("hex"));
    if (
      row === undefined ||
      !timingSafeEqual(Buffer.from(row.secret_hash, "hex"), d)
    ) {
      return undefined;
    }
    if (row.revoked_at !== null) {
      throw invalidToken(`the token "${row.name}" was revoked`);
    }
    if (row.expires_at !== null && row.expires_at <= now()) {
      throw invalidToken(
        `the token "${row.name}" expired at ${row.expires_at.toISOString()}`,
      );
    }
    store?.used(row.name);
    return { name: row.name, scopes: row.scopes, projects: row.projects };
  };
  return {
    async authorize(req, access) {
      if (access === "public" || (access === "read" && !readTokenRequired)) {
        return ANONYMOUS;
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
      const d = digest(match[1] ?? "");
      const principal = envToken(d) ?? (await storedToken(d));
      if (principal === undefined) {
        throw invalidToken(
          "the bearer token is not accepted: it is no API_TOKENS entry and no token made by `vigil token create` or POST /tokens",
        );
      }
      if (!principal.scopes.includes(access)) {
        throw insufficientScope(access);
      }
      return { caller: principal.name, principal };
    },
  };
}
