import type { Db } from "@vigil/db";
import type { Request, Response } from "express";
import type { z } from "zod";

import type { RouteAudit } from "../audit/spec.js";
import type { Access, Principal } from "../http/auth.js";
import type { BodyKind } from "../http/body.js";

export type Method = "get" | "post" | "put" | "patch" | "delete";

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /**
   * The actor: the token's name (`api-token-<N>` for the N-th API_TOKENS entry), null for
   * anonymous reads.
   */
  caller: string | null;
  /** The token behind `caller`: its scopes and projects (null: all); null when anonymous. */
  principal: Principal | null;
  req: Request;
  res: Response;
  /**
   * The database handle to use: for audited writes the transaction the audit row is
   * appended in (apps/api/src/audit/run-route.ts), else the pool.
   */
  db: Db;
}

/** A JSON answer, or a route that wrote its response itself (metrics, docs). */
export type Reply = { status?: number; json: unknown } | { handled: true };

export interface ResponseDoc {
  description: string;
  schema?: z.ZodType;
  /** @default "application/json" */
  contentType?: string;
}

/**
 * One route: everything the router, the auth check, the body parsers and the OpenAPI
 * document need, in one place, so that none of them can disagree about a route.
 */
export interface RouteDef<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  method: Method;
  /** express syntax: `/projects/:id`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  access: Access;
  params?: P;
  query?: Q;
  /** "json" validates with `body`; "upload" hands the raw parsed body to the handler. */
  bodyKind?: BodyKind;
  body?: B;
  /** Whether an empty body is fine (it is parsed as `{}`). */
  bodyOptional?: boolean;
  /** Extra request body content types for the docs (uploads). */
  uploadDoc?: Record<string, z.ZodType>;
  responses: Record<number, ResponseDoc>;
  /**
   * How the route's writes enter the audit trail (apps/api/src/audit/spec.ts). Every route
   * whose method is not GET declares one (test/audit.test.ts checks); one that does not is
   * still recorded, with the generic spec of run-route.ts. GET routes are never recorded.
   */
  audit?: RouteAudit<z.output<P>, z.output<Q>, z.output<B>>;
  handler: (
    ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>,
  ) => Promise<Reply> | Reply;
}

/** Keeps the generic parameters of one route (a plain array would widen them). */
export function defineRoute<
  P extends z.ZodType,
  Q extends z.ZodType,
  B extends z.ZodType,
>(def: RouteDef<P, Q, B>): RouteDef {
  return def;
}
