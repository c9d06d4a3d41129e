import {
  appendAuditEvent,
  inTransaction,
  lockAuditTarget,
  type Db,
} from "@vigil/db";

import type { Reply, RouteContext, RouteDef } from "../routes/route.js";
import { replyJson, type AuditSpec } from "./spec.js";

type Ctx = RouteContext<unknown, unknown, unknown>;

/**
 * Writes are the non-GET routes, as for the write rate limits; access levels say who may
 * call a route, not whether it changes anything (GET /tokens needs admin and is a read).
 */
export function isWriteRoute(route: Pick<RouteDef, "method">): boolean {
  return route.method !== "get";
}

/** For a write route without a spec: recorded by method and path, the answer as `after`. */
function genericSpec(route: RouteDef): AuditSpec<unknown, unknown, unknown> {
  return {
    action: `${route.method} ${route.path}`,
    target: (ctx) => ctx.req.path,
    after: (_ctx, reply) => replyJson(reply),
  };
}

/** pino-http's id (request-id.ts makes it a string). */
const requestIdOf = (id: unknown): string | null =>
  typeof id === "string" || typeof id === "number" ? String(id) : null;

/**
 * Runs a route's handler. A write runs in one transaction with its audit row: the target
 * lock (spec.scope), the before state, the handler, the after state, then the append, so
 * the row commits with the change or not at all, and a handler that throws (validation,
 * 404, 409) rolls back with nothing appended.
 */
export async function runRoute(
  route: RouteDef,
  db: Db,
  ctx: Omit<Ctx, "db">,
): Promise<Reply> {
  const audit = isWriteRoute(route)
    ? (route.audit ?? genericSpec(route))
    : null;
  if (audit === null || "none" in audit) {
    return route.handler({ ...ctx, db });
  }
  // A deadlock or serialization failure runs the whole write again (inTransaction), so it
  // never reaches the client as a 500; everything in it is database work.
  return inTransaction(db, async (trx) => {
    const c: Ctx = { ...ctx, db: trx };
    const scope = audit.scope?.(c);
    if (scope !== undefined) {
      await lockAuditTarget(trx, scope);
    }
    const before = audit.before === undefined ? null : await audit.before(c);
    const reply = await route.handler(c);
    const after =
      audit.after === undefined ? null : await audit.after(c, reply);
    await appendAuditEvent(trx, {
      actor: ctx.caller ?? "anonymous",
      action:
        typeof audit.action === "string"
          ? audit.action
          : audit.action(c, reply),
      target: audit.target(c, reply),
      requestId: requestIdOf(ctx.req.id),
      diff: { before, after },
    });
    return reply;
  });
}
