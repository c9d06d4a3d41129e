import type { RequestHandler } from "express";

import type { RouteDef } from "../routes/route.js";
import { AppError } from "./app-error.js";

/** `/projects/:id/rules/:ruleId` as a regex over the raw path, one named group per parameter. */
function rawPattern(path: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const source = path
    .split("/")
    .map((segment) => {
      if (segment.startsWith(":")) {
        names.push(segment.slice(1));
        return "([^/]+)";
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return { regex: new RegExp(`^${source}/?$`), names };
}

function decodes(value: string): boolean {
  try {
    decodeURIComponent(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * The router decodes path parameters while matching, before any route code runs, and
 * turns `%`, `%C0%AF` (not UTF-8) and the like into an error of its own. This runs first
 * and answers a 400 naming the parameter, for anonymous callers too.
 */
export function pathEncodingCheck(routes: readonly RouteDef[]): RequestHandler {
  const patterns = routes
    .filter((r) => r.path.includes(":"))
    .map((r) => rawPattern(r.path));
  return (req, _res, next) => {
    if (!req.path.includes("%")) {
      next();
      return;
    }
    for (const { regex, names } of patterns) {
      const match = regex.exec(req.path);
      if (match === null) {
        continue;
      }
      const bad = names.findIndex((_, i) => !decodes(match[i + 1] ?? ""));
      if (bad !== -1) {
        const param = names[bad] as string;
        const message = "malformed percent-encoding (not UTF-8)";
        next(
          new AppError(
            "invalid_parameter",
            `invalid path parameter: ${param}: ${message}`,
            [{ path: param, message }],
          ),
        );
        return;
      }
    }
    next();
  };
}
