import { TokenCreateRequestSchema } from "@vigil/contracts";
import {
  apiTokenSecretHash,
  appendAuditEvent,
  insertApiToken,
  isUniqueViolation,
  listApiTokens,
  newApiTokenSecret,
  revokeApiToken,
  type ApiTokenInfo,
} from "@vigil/db";

import { cliActor } from "../actor.js";
import type { CliContext } from "../context.js";
import { withDb } from "../with-db.js";
import { UsageError } from "../database-target.js";

export interface TokenCreateOptions {
  name: string | undefined;
  /** Comma-separated, as typed after --scopes. */
  scopes: string | undefined;
  projects: string | undefined;
  expires: string | undefined;
}

const list = (value: string | undefined) =>
  value === undefined ? undefined : value.split(",").map((s) => s.trim());

const describe = (
  t: Pick<ApiTokenInfo, "scopes" | "projects" | "expires_at">,
) =>
  `scopes ${t.scopes.join(",")}; projects ${t.projects?.join(",") ?? "all"}; expires ${t.expires_at?.toISOString() ?? "never"}`;

/**
 * `vigil token create NAME --scopes read,write [--projects a,b] [--expires ISO]`: the
 * secret alone on stdout (`TOKEN=$(vigil token create ...)`), shown this once; what it may
 * do on stderr. Checked by the same schema as POST /tokens; writes the token and its audit
 * row in one transaction.
 */
export async function tokenCreateCommand(
  ctx: CliContext,
  o: TokenCreateOptions,
): Promise<number> {
  const parsed = TokenCreateRequestSchema.safeParse({
    name: o.name,
    scopes: list(o.scopes),
    ...(o.projects !== undefined && { projects: list(o.projects) }),
    ...(o.expires !== undefined && { expires_at: o.expires }),
  });
  if (!parsed.success) {
    const flag: Record<string, string> = {
      name: "NAME",
      scopes: "--scopes",
      projects: "--projects",
      expires_at: "--expires",
    };
    for (const issue of parsed.error.issues) {
      const [field, ...rest] = issue.path.map(String);
      const where =
        field === undefined
          ? "token"
          : [flag[field] ?? field, ...rest].join(".");
      ctx.err(
        `${where}: ${field !== undefined && issue.code === "invalid_type" && rest.length === 0 ? "required" : issue.message}`,
      );
    }
    ctx.err("no token was created");
    return 1;
  }
  const body = parsed.data;
  const secret = newApiTokenSecret();
  const actor = cliActor();
  return withDb(ctx.databaseUrl(), async (db) => {
    try {
      const token = await db.transaction().execute(async (trx) => {
        const t = await insertApiToken(trx, {
          name: body.name,
          secretHash: apiTokenSecretHash(secret),
          scopes: body.scopes,
          projects: body.projects ?? null,
          createdBy: actor,
          expiresAt: body.expires_at == null ? null : new Date(body.expires_at),
        });
        await appendAuditEvent(trx, {
          actor,
          action: "token.create",
          target: `token:${t.name}`,
          requestId: null,
          diff: {
            before: null,
            after: JSON.parse(JSON.stringify(t)) as unknown,
          },
        });
        return t;
      });
      ctx.out(secret);
      ctx.err(
        `token ${token.name} created (${describe(token)}); the secret above is shown only this once`,
      );
      return 0;
    } catch (err) {
      if (isUniqueViolation(err)) {
        ctx.err(
          `NAME: a token named "${body.name}" exists (revoked tokens keep their names); choose another name`,
        );
        return 1;
      }
      throw err;
    }
  });
}

/** `vigil token list`: every token with its status, never a secret. */
export async function tokenListCommand(ctx: CliContext): Promise<number> {
  const tokens = await withDb(ctx.databaseUrl(), (db) => listApiTokens(db));
  if (tokens.length === 0) {
    ctx.out("no tokens (make one with: vigil token create NAME --scopes ...)");
    return 0;
  }
  const now = new Date();
  const rows = tokens.map((t) => [
    t.name,
    t.revoked_at !== null
      ? "revoked"
      : t.expires_at !== null && t.expires_at <= now
        ? "expired"
        : "active",
    t.scopes.join(","),
    t.projects?.join(",") ?? "all",
    t.expires_at?.toISOString() ?? "never",
    t.last_used_at?.toISOString() ?? "never",
    t.created_by,
  ]);
  const header = [
    "NAME",
    "STATUS",
    "SCOPES",
    "PROJECTS",
    "EXPIRES",
    "LAST USED",
    "CREATED BY",
  ];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => r[i]!.length)),
  );
  for (const r of [header, ...rows]) {
    ctx.out(
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    );
  }
  return 0;
}

/** `vigil token revoke NAME`: refused by every API process within seconds (their cache). */
export async function tokenRevokeCommand(
  ctx: CliContext,
  name: string | undefined,
): Promise<number> {
  if (name === undefined) {
    throw new UsageError("token revoke needs a token NAME");
  }
  const actor = cliActor();
  const revoked = await withDb(ctx.databaseUrl(), (db) =>
    db.transaction().execute(async (trx) => {
      const t = await revokeApiToken(trx, name);
      if (t !== undefined) {
        await appendAuditEvent(trx, {
          actor,
          action: "token.revoke",
          target: `token:${name}`,
          requestId: null,
          diff: {
            before: null,
            after: JSON.parse(JSON.stringify(t)) as unknown,
          },
        });
      }
      return t;
    }),
  );
  if (revoked === undefined) {
    ctx.err(`no token named "${name}" (see vigil token list)`);
    return 1;
  }
  ctx.out(
    `token ${name} revoked at ${revoked.revoked_at?.toISOString() ?? ""}; API processes refuse it within 5 s`,
  );
  return 0;
}
