import { createHash } from "node:crypto";

import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from "express";

import { AppError } from "./app-error.js";

/** What a route accepts as its body. */
export type BodyKind = "none" | "json" | "upload";

export interface RawBodyInfo {
  sizeBytes: number;
  sha256: string;
}

/** The raw bytes' size and hash of an upload, recorded while the body is read. */
export const rawBodyInfo = new WeakMap<Request, RawBodyInfo>();

const UPLOAD_TYPES = ["application/json", "text/csv"];

function hasBody(req: Request): boolean {
  return (
    req.headers["transfer-encoding"] !== undefined ||
    (req.headers["content-length"] !== undefined &&
      req.headers["content-length"] !== "0")
  );
}

function requireContentType(types: readonly string[]): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (hasBody(req) && req.is([...types]) === false) {
      const got = req.headers["content-type"] ?? "none";
      next(
        new AppError(
          "unsupported_media_type",
          `expected Content-Type ${types.join(" or ")}, got ${got}`,
        ),
      );
      return;
    }
    next();
  };
}

const recordRawBody = (req: Request, _res: Response, buf: Buffer) => {
  rawBodyInfo.set(req, {
    sizeBytes: buf.length,
    sha256: createHash("sha256").update(buf).digest("hex"),
  });
};

/**
 * The body parsers of one route: a content-type check (415), then express's own parser
 * with the size limit (413 before reading when Content-Length says so, else while reading).
 * Routes without a body ignore any that is sent.
 */
export function bodyParsers(
  kind: BodyKind,
  limits: { jsonBytes: number; uploadBytes: number },
): RequestHandler[] {
  switch (kind) {
    case "none":
      return [];
    case "json":
      return [
        requireContentType(["application/json"]),
        express.json({
          limit: limits.jsonBytes,
          strict: true,
          type: "application/json",
        }),
      ];
    case "upload":
      return [
        requireContentType(UPLOAD_TYPES),
        express.json({
          limit: limits.uploadBytes,
          strict: true,
          type: "application/json",
          verify: recordRawBody,
        }),
        express.text({
          limit: limits.uploadBytes,
          type: "text/csv",
          verify: recordRawBody,
        }),
      ];
  }
}

/** body-parser's error types, mapped to the API's error codes. */
export function mapBodyParserError(err: unknown): AppError | undefined {
  if (typeof err !== "object" || err === null || !("type" in err)) {
    return undefined;
  }
  const message = err instanceof Error ? err.message : "";
  switch (err.type) {
    case "entity.parse.failed":
      return new AppError(
        "malformed_json",
        `the body is not valid JSON: ${message}`,
      );
    case "entity.too.large":
      return new AppError(
        "payload_too_large",
        "the request body is larger than this route accepts",
        {
          limit_bytes: "limit" in err ? err.limit : null,
        },
      );
    case "encoding.unsupported":
    case "charset.unsupported":
      return new AppError("unsupported_media_type", message);
    case "request.aborted":
    case "request.size.invalid":
      return new AppError("bad_request", message);
    default:
      return undefined;
  }
}
