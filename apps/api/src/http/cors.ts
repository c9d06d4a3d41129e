import type { RequestHandler } from "express";

/** Methods and headers dashboards may use cross-origin. */
const ALLOW_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
const ALLOW_HEADERS = "Authorization, Content-Type";
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * CORS for the configured origins (CORS_ORIGINS; `*` allows any). Answers preflights with
 * 204 itself. No origins configured: no CORS headers, browsers keep same-origin rules.
 */
export function corsMiddleware(origins: readonly string[]): RequestHandler {
  const any = origins.includes("*");
  const allowed = new Set(origins);
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (origin === undefined || (!any && !allowed.has(origin))) {
      next();
      return;
    }
    res.setHeader("Access-Control-Allow-Origin", any ? "*" : origin);
    res.vary("Origin");
    if (
      req.method === "OPTIONS" &&
      req.headers["access-control-request-method"] !== undefined
    ) {
      res.setHeader("Access-Control-Allow-Methods", ALLOW_METHODS);
      res.setHeader("Access-Control-Allow-Headers", ALLOW_HEADERS);
      res.setHeader(
        "Access-Control-Max-Age",
        String(PREFLIGHT_MAX_AGE_SECONDS),
      );
      res.status(204).end();
      return;
    }
    next();
  };
}
