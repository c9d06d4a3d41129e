import { EmptyQuerySchema } from "@vigil/contracts";
import type { Db } from "@vigil/db";
import type {
  Express,
  NextFunction,
  Request,
  RequestHandler,
  Response,
} from "express";
import { z } from "zod";

import { runRoute } from "../audit/run-route.js";
import type { RouteDef } from "../routes/route.js";
import { AppError, notFound } from "./app-error.js";
import type { Authorizer, Principal } from "./auth.js";
import { bodyParsers } from "./body.js";
import { assertSafeJson, assertStorableStrings } from "./json-shape.js";
import { pathEncodingCheck } from "./path-encoding.js";
import { canSeeProject, isProjectRoute } from "./project-access.js";
import {
  createWriteLimiters,
  isRateLimitedRoute,
  type WriteRateLimits,
} from "./rate-limit.js";
import { parseInput } from "./validate.js";

const NoParams = z.object({}).strict();

export interface MountOptions {
  /** The pool; writes run in a transaction of it with their audit row (runRoute). */
  db: Db;
  authorizer: Authorizer;
  limits: { jsonBytes: number; uploadBytes: number };
  /** Absent: writes are not rate limited. */
  writeRateLimits?: WriteRateLimits | undefined;
}

function readBody(route: RouteDef, req: Request): unknown {
  if (route.bodyKind !== "json" || route.body === undefined) {
    return undefined;
  }
  const raw: unknown = req.body;
  if (raw === undefined) {
    if (route.bodyOptional === true) {
      return parseInput(route.body, {}, "body");
    }
    throw new AppError(
      "validation_failed",
      "a JSON body is required (Content-Type: application/json)",
      [{ path: "(root)", message: "required" }],
    );
  }
  assertSafeJson(raw);
  return parseInput(route.body, raw, "body");
}

/**
 * Mounts each route as: for writes a per-address rate limit, authorization and the
 * project limit of the token (before any body is read, so an anonymous caller cannot make
 * the server parse 20 MB), for writes a
 * per-token rate limit, body parsers, then validation of params, query and body, then
 * the handler. Async errors reach the error middleware (express 5).
 */
export function mountRoutes(
  app: Express,
  routes: readonly RouteDef[],
  { db, authorizer, limits, writeRateLimits }: MountOptions,
): void {
  app.use(pathEncodingCheck(routes));
  const limiters = createWriteLimiters(writeRateLimits);
  for (const route of routes) {
    const projectRoute = isProjectRoute(route.path);
    const authorize: RequestHandler = async (req, res, next) => {
      const { caller, principal } = await authorizer.authorize(
        req,
        route.access,
      );
      res.locals.caller = caller;
      res.locals.principal = principal;
      // before any body is read: another project's routes answer as if it were absent
      const id = req.params.id;
      if (
        projectRoute &&
        typeof id === "string" &&
        !canSeeProject(principal, id)
      ) {
        throw notFound(`project "${id}"`);
      }
      next();
    };
    const handle = async (req: Request, res: Response, _next: NextFunction) => {
      assertStorableStrings(req.params, "params");
      assertStorableStrings(req.query, "query");
      const params = parseInput(route.params ?? NoParams, req.params, "params");
      const query = parseInput(
        route.query ?? EmptyQuerySchema,
        req.query,
        "query",
      );
      const body = readBody(route, req);
      const reply = await runRoute(route, db, {
        params,
        query,
        body,
        caller: (res.locals.caller as string | null) ?? null,
        principal: (res.locals.principal as Principal | null) ?? null,
        req,
        res,
      });
      if ("json" in reply) {
        res.status(reply.status ?? 200).json(reply.json);
      }
    };
    const isWrite = isRateLimitedRoute(route);
    app[route.method](
      route.path,
      ...(isWrite ? limiters.byIp : []),
      authorize,
      ...(isWrite ? limiters.byToken : []),
      ...bodyParsers(route.bodyKind ?? "none", limits),
      handle,
    );
  }
}
