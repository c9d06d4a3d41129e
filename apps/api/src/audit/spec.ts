import type { Reply, RouteContext } from "../routes/route.js";

/** What a spec's functions see: the route's validated input, `db` being the write's transaction. */
export type AuditContext<P, Q, B> = RouteContext<P, Q, B>;

/**
 * How one write route is recorded. The audit row is appended in the route's own
 * transaction after the handler succeeded, so a rejected write (any thrown error) leaves
 * no row, and a recorded one cannot lose its row.
 */
export interface AuditSpec<P, Q, B> {
  /** `<kind>.<verb>`, or chosen from the outcome (PUT: project.create or project.update). */
  action: string | ((ctx: AuditContext<P, Q, B>, reply: Reply) => string);
  /** `<kind>:<key>`, possibly known only from the reply (schedule:<new id>). */
  target: (ctx: AuditContext<P, Q, B>, reply: Reply) => string;
  /**
   * The project whose audited writes serialize with this one (lockAuditTarget, taken before
   * `before` is read), so concurrent writes record the states they really replaced.
   */
  scope?: (ctx: AuditContext<P, Q, B>) => string;
  /** The target's state before the handler runs; absent: null (it did not exist). */
  before?: (ctx: AuditContext<P, Q, B>) => Promise<unknown>;
  /** The target's state after it; absent: null (it is gone). */
  after?: (ctx: AuditContext<P, Q, B>, reply: Reply) => unknown;
}

/** A write-access route that changes nothing, with the reason (documented, tested). */
export interface NoAudit {
  none: string;
}

export type RouteAudit<P, Q, B> = AuditSpec<P, Q, B> | NoAudit;

/** The JSON body of a reply (routes that write their own response have none). */
export function replyJson<T>(reply: Reply): T {
  return ("json" in reply ? reply.json : null) as T;
}
