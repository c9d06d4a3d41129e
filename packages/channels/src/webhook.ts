import { parseRetryAfter, safeRequest } from "@vigil/safe-http";

import { signReport } from "./sign.js";

export interface DeliverTarget {
  /** report_outbox.target_env: the env var naming the URL, null for the global REPORT_URL. */
  targetEnv: string | null;
  /** The executor's environment, read at send time (so a fixed variable takes effect on restart). */
  env: Readonly<Record<string, string | undefined>>;
  /** REPORT_URL. */
  globalUrl: string | undefined;
}

export interface DeliverOptions {
  target: DeliverTarget;
  idempotencyKey: string;
  /** The exact bytes that are sent and signed. */
  body: string;
  /** REPORT_SIGNING_SECRET; unset: no signature header. */
  signingSecret: string | undefined;
  allowPrivateNetworks: boolean;
  timeoutMs: number;
  /** Receivers answer with a short acknowledgement; more than this is cut off. @default 65_536 */
  maxResponseBytes?: number;
  attempt: number;
  now: Date;
  signal?: AbortSignal;
}

export type DeliveryOutcome =
  | {
      kind: "delivered";
      /** HTTP status, or the SMTP reply code. */
      statusCode: number;
      latencyMs: number;
      /** What an SMTP server answered (its first reply line). */
      response?: string;
    }
  | {
      kind: "failed";
      response?: string;
      statusCode: number | null;
      latencyMs: number | null;
      error: string;
      retryAfterMs: number | null;
      /**
       * No retry can fix it (a private address while REPORT_ALLOW_PRIVATE_NETWORKS is off, a
       * malformed URL, a permanent SMTP rejection): the outbox dead-letters the row at once.
       */
      permanent: boolean;
    };

/** Resolves the URL at send time; the error names the variable, never a value. */
export function resolveTargetUrl(
  target: DeliverTarget,
): { ok: true; url: string } | { ok: false; error: string } {
  if (target.targetEnv === null) {
    return target.globalUrl
      ? { ok: true, url: target.globalUrl }
      : {
          ok: false,
          error: "REPORT_URL is not set in the executor's environment",
        };
  }
  const url = target.env[target.targetEnv];
  return url
    ? { ok: true, url }
    : {
        ok: false,
        // the secret store reads SECRETS_DIR at each attempt: a file added later is used then
        error: `the secret ${target.targetEnv} is not available on the executor (no environment variable ${target.targetEnv} and no file of that name in SECRETS_DIR); the next attempt looks again`,
      };
}

/**
 * One delivery attempt: POST the body with `Idempotency-Key` and `Vigil-Signature`, through
 * @vigil/safe-http (target checked against private networks at send time, connection pinned
 * to the checked address, no redirects, bounded time and response size). Every failure is
 * returned as an outcome, never thrown: a 2xx is delivered; a refusal of the URL itself is
 * permanent; anything else is retried.
 */
export async function sendWebhook(o: DeliverOptions): Promise<DeliveryOutcome> {
  const resolved = resolveTargetUrl(o.target);
  if (!resolved.ok) {
    return {
      kind: "failed",
      statusCode: null,
      latencyMs: null,
      error: resolved.error,
      retryAfterMs: null,
      // the secret store reads again at the next attempt: a variable set later is used then
      permanent: false,
    };
  }
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "Vigil-Reports/1",
    "idempotency-key": o.idempotencyKey,
    "vigil-delivery-attempt": String(o.attempt),
  };
  if (o.signingSecret) {
    headers["vigil-signature"] = signReport({
      body: o.body,
      secret: o.signingSecret,
      timestamp: Math.floor(o.now.getTime() / 1000),
    });
  }
  if (!URL.canParse(resolved.url)) {
    return {
      kind: "failed",
      statusCode: null,
      latencyMs: null,
      error: `the value of ${o.target.targetEnv ?? "REPORT_URL"} is not a valid URL`,
      retryAfterMs: null,
      permanent: true,
    };
  }
  const response = await safeRequest({
    url: resolved.url,
    method: "POST",
    headers,
    body: o.body,
    timeoutMs: o.timeoutMs,
    maxResponseBytes: o.maxResponseBytes ?? 65_536,
    allowPrivateNetworks: o.allowPrivateNetworks,
    privateNetworkHint:
      "set REPORT_ALLOW_PRIVATE_NETWORKS=true on the executor to allow it",
    signal: o.signal,
  });
  if (!response.ok) {
    return {
      kind: "failed",
      statusCode: null,
      latencyMs: response.latencyMs,
      error: `${response.kind}: ${response.message}`,
      retryAfterMs: null,
      // a refusal of the URL itself (scheme, credentials, private address) stays a refusal;
      // a name that does not resolve may resolve later
      permanent:
        response.kind === "refused" &&
        !response.message.endsWith("does not resolve"),
    };
  }
  if (response.status >= 200 && response.status < 300) {
    return {
      kind: "delivered",
      statusCode: response.status,
      latencyMs: response.latencyMs,
    };
  }
  const redirect =
    response.status >= 300 && response.status < 400
      ? " (redirects are not followed)"
      : "";
  return {
    kind: "failed",
    statusCode: response.status,
    latencyMs: response.latencyMs,
    error: `receiver answered HTTP ${response.status}${redirect}`,
    retryAfterMs: parseRetryAfter(response.headers["retry-after"], o.now),
    permanent: false,
  };
}
