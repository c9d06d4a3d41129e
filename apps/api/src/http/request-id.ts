import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/** What an incoming X-Request-Id may be to be kept (a proxy's id, a client's trace id). */
const ACCEPTED = /^[A-Za-z0-9._:@+=/-]{1,128}$/;

/**
 * pino-http's genReqId: the caller's X-Request-Id when it is a plausible id, else a fresh
 * UUID; echoed as X-Request-Id on every answer, logged with the request, and stored in the
 * audit rows the request appends, so the three can be joined.
 */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers["x-request-id"];
  const id =
    typeof given === "string" && ACCEPTED.test(given) ? given : randomUUID();
  res.setHeader("X-Request-Id", id);
  return id;
}
