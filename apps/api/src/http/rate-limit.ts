import type { RequestHandler } from "express";
import { rateLimit } from "express-rate-limit";

import { AppError } from "./app-error.js";

export interface WriteRateLimits {
  /** Length of the fixed window. */
  windowMs: number;
  /** Writes per token per window (API_WRITE_RATE_LIMIT_PER_TOKEN); 0: unlimited. */
  perToken: number;
  /** Writes per client address per window (API_WRITE_RATE_LIMIT_PER_IP); 0: unlimited. */
  perIp: number;
}

export interface WriteLimiters {
  /** Runs before authentication: a client guessing tokens is slowed down too. */
  byIp: RequestHandler[];
  /** Runs after authentication, keyed by the caller label (never the token itself). */
  byToken: RequestHandler[];
}

/**
 * The routes the write limits count: every route that changes something. A POST that only
 * reads (`POST /cron/preview`, access `read`) is not one of them.
 */
export function isRateLimitedRoute(route: {
  method: string;
  access: string;
}): boolean {
  return (
    route.method !== "get" &&
    route.access !== "read" &&
    route.access !== "public"
  );
}

function limiter(
  what: string,
  windowMs: number,
  limit: number,
  keyGenerator?: (req: Parameters<RequestHandler>[0]) => string,
): RequestHandler[] {
  if (limit === 0) {
    return [];
  }
  return [
    rateLimit({
      windowMs,
      limit,
      // RateLimit and RateLimit-Policy headers; Retry-After on the 429
      standardHeaders: "draft-7",
      legacyHeaders: false,
      ...(keyGenerator !== undefined && { keyGenerator }),
      handler: (_req, res, next) => {
        next(
          new AppError(
            "rate_limited",
            `too many writes ${what}: at most ${limit} per ${windowMs / 1000} s; retry after the Retry-After seconds`,
            { limit, window_seconds: windowMs / 1000 },
            {
              headers: {
                "Retry-After": String(res.getHeader("Retry-After") ?? 1),
              },
            },
          ),
        );
      },
    }),
  ];
}

/**
 * In-memory fixed-window counters of this process (each replica counts alone, so the
 * fleet-wide limit is the per-process one times the replicas). Absent limits: none.
 */
export function createWriteLimiters(
  limits: WriteRateLimits | undefined,
): WriteLimiters {
  if (limits === undefined) {
    return { byIp: [], byToken: [] };
  }
  return {
    byIp: limiter("from this address", limits.windowMs, limits.perIp),
    byToken: limiter(
      "with this token",
      limits.windowMs,
      limits.perToken,
      (req) => String((req.res?.locals.caller as string | null) ?? "anonymous"),
    ),
  };
}
