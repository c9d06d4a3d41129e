import {
  TokenCreatedResponseSchema,
  TokenCreateRequestSchema,
  TokenListResponseSchema,
  TokenNameSchema,
  TokenSchema,
  type Token,
} from "@vigil/contracts";
import {
  apiTokenSecretHash,
  insertApiToken,
  isUniqueViolation,
  listApiTokens,
  newApiTokenSecret,
  revokeApiToken,
  type ApiTokenInfo,
} from "@vigil/db";
import { z } from "zod";

import { replyJson } from "../audit/spec.js";
import type { ApiDeps } from "../deps.js";
import { AppError, notFound } from "../http/app-error.js";
import type { TokenStore } from "../http/token-store.js";
import { defineRoute, type RouteDef } from "./route.js";

const TokenParamsSchema = z.object({ name: TokenNameSchema }).strict();

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/** A token as answers show it: never the secret or its hash. */
export function toToken(t: ApiTokenInfo, now = new Date()): Token {
  return {
    name: t.name,
    scopes: t.scopes,
    projects: t.projects,
    status:
      t.revoked_at !== null
        ? "revoked"
        : t.expires_at !== null && t.expires_at <= now
          ? "expired"
          : "active",
    created_at: t.created_at.toISOString(),
    created_by: t.created_by,
    last_used_at: iso(t.last_used_at),
    expires_at: iso(t.expires_at),
    revoked_at: iso(t.revoked_at),
  };
}

/** Tokens as data: make one (the secret is in that answer only), list them, revoke one. */
export function tokenRoutes(deps: ApiDeps, store: TokenStore): RouteDef[] {
  return [
    defineRoute({
      method: "post",
      path: "/tokens",
      tag: "tokens",
      access: "admin",
      summary:
        "Makes a token with scopes and optionally a project list and an expiry; the answer is the only place its secret is ever shown",
      bodyKind: "json",
      body: TokenCreateRequestSchema,
      responses: {
        201: { description: "Created", schema: TokenCreatedResponseSchema },
      },
      audit: {
        action: "token.create",
        target: ({ body }) => `token:${body.name}`,
        // the answer without its secret
        after: (_ctx, reply) => {
          const { token: _secret, ...rest } = replyJson<{ token: string }>(
            reply,
          );
          return rest;
        },
      },
      handler: async ({ body, caller, db }) => {
        const secret = newApiTokenSecret();
        try {
          const t = await insertApiToken(db, {
            name: body.name,
            secretHash: apiTokenSecretHash(secret),
            scopes: body.scopes,
            projects: body.projects ?? null,
            createdBy: caller ?? "anonymous",
            expiresAt:
              body.expires_at == null ? null : new Date(body.expires_at),
          });
          return {
            status: 201,
            json: {
              token: secret,
              name: t.name,
              scopes: t.scopes,
              projects: t.projects,
              expires_at: iso(t.expires_at),
              created_at: t.created_at.toISOString(),
              created_by: t.created_by,
            },
          };
        } catch (err) {
          if (isUniqueViolation(err)) {
            throw new AppError(
              "conflict",
              `a token named "${body.name}" exists (revoked tokens keep their names); choose another name`,
              null,
              { cause: err },
            );
          }
          throw err;
        }
      },
    }),
    defineRoute({
      method: "get",
      path: "/tokens",
      tag: "tokens",
      access: "admin",
      summary:
        "Every token, revoked and expired ones too, by name: scopes, projects, last use; never a secret",
      responses: {
        200: { description: "Tokens", schema: TokenListResponseSchema },
      },
      handler: async () => {
        const now = new Date();
        return {
          json: {
            items: (await listApiTokens(deps.db)).map((t) => toToken(t, now)),
          },
        };
      },
    }),
    defineRoute({
      method: "delete",
      path: "/tokens/:name",
      tag: "tokens",
      access: "admin",
      summary:
        "Revokes a token: it is refused from now on (by other API replicas within seconds); the row stays for the record",
      params: TokenParamsSchema,
      responses: { 200: { description: "Revoked", schema: TokenSchema } },
      audit: {
        action: "token.revoke",
        target: ({ params }) => `token:${params.name}`,
        after: (_ctx, reply) => replyJson(reply),
      },
      handler: async ({ params, db }) => {
        const t = await revokeApiToken(db, params.name);
        if (t === undefined) {
          throw notFound(`token "${params.name}"`);
        }
        store.forget(params.name);
        return { json: toToken(t) };
      },
    }),
  ];
}
