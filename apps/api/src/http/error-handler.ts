import type { Logger } from "@vigil/logger";
import type { ErrorRequestHandler, RequestHandler } from "express";

import { AppError } from "./app-error.js";
import { mapBodyParserError } from "./body.js";

/** Unknown routes (and unknown methods on known paths) answer a JSON 404. */
export const routeNotFound: RequestHandler = (req, _res, next) => {
  next(new AppError("route_not_found", `no route ${req.method} ${req.path}`));
};

/** A URL the router or the static files could not percent-decode (paths no route names). */
function mapDecodeError(raw: unknown): AppError | undefined {
  return raw instanceof URIError
    ? new AppError("bad_request", "the URL has malformed percent-encoding")
    : undefined;
}

/**
 * The one place errors become responses: AppError and body-parser errors by their code;
 * anything else is logged with its stack and answered with a generic 500, so internals
 * (SQL, paths) never reach the client.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (raw: unknown, req, res, next) => {
    if (res.headersSent) {
      next(raw);
      return;
    }
    const err =
      raw instanceof AppError
        ? raw
        : (mapBodyParserError(raw) ?? mapDecodeError(raw));
    if (err !== undefined) {
      if (err.status >= 500) {
        logger.warn(
          { err: raw, code: err.code, path: req.path },
          "request failed",
        );
      }
      res.set(err.headers);
      res.status(err.status).json({
        error: { code: err.code, message: err.message, details: err.details },
      });
      return;
    }
    logger.error(
      { err: raw, method: req.method, path: req.path },
      "unexpected error",
    );
    res.status(500).json({
      error: {
        code: "internal",
        message: "internal error; it has been logged",
        details: null,
      },
    });
  };
}
