import { setTimeout as sleep } from "node:timers/promises";

import {
  parseRetryAfter,
  safeRequest,
  type SafeRequestOptions,
  type SafeResponse,
} from "@vigil/safe-http";

import { LoadAbort } from "../result.js";

/** Three retries after the first attempt, on 5xx, 429 and dropped connections. */
const MAX_ATTEMPTS = 4;
/** A server may ask for a long Retry-After; we wait at most this long per retry. */
const MAX_RETRY_WAIT_MS = 30_000;
const BACKOFF_BASE_MS = 200;

export interface FetchPageOptions {
  request: Omit<SafeRequestOptions, "timeoutMs" | "signal">;
  /** Epoch ms by which the whole load must be done. */
  deadline: number;
  signal: AbortSignal;
  /** For messages: method, host and path, never the query (it may carry an API key). */
  label: string;
  /** The limit a too-large body hits: the run's byte budget or the source's max_response_bytes. */
  tooLarge: { code: "too_many_bytes" | "bad_response"; limit: string };
}

const remaining = (deadline: number) => deadline - Date.now();

/** Waits `ms`, ending early as `cancelled` if the signal aborts. */
async function waitBeforeRetry(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    throw new LoadAbort("cancelled", "loading was cancelled");
  }
}

/**
 * One page, with retries: 5xx, 429 and network failures are retried up to three times,
 * waiting what `Retry-After` asks (capped at 30 s) or an exponential backoff (0.2 s,
 * 0.8 s, 3.2 s) with jitter. Every attempt runs through safe-http, so each one is
 * re-checked against the private-network guard and bounded by the time left.
 */
export async function fetchPageWithRetries({
  request,
  deadline,
  signal,
  label,
  tooLarge,
}: FetchPageOptions): Promise<SafeResponse> {
  for (let attempt = 1; ; attempt++) {
    if (remaining(deadline) <= 0) {
      throw new LoadAbort(
        "timeout",
        `${label}: no answer within timeout_seconds`,
      );
    }
    const res = await safeRequest({
      ...request,
      timeoutMs: remaining(deadline),
      signal,
    });
    let retryAfterMs: number | null = null;
    if (!res.ok) {
      switch (res.kind) {
        case "refused":
          throw new LoadAbort("connect", `${label}: refused: ${res.message}`);
        case "timeout":
          throw new LoadAbort(
            "timeout",
            `${label}: no answer within timeout_seconds`,
          );
        case "aborted":
          throw new LoadAbort("cancelled", "loading was cancelled");
        case "too_large":
          throw new LoadAbort(
            tooLarge.code,
            `${label}: ${res.message} (${tooLarge.limit})`,
          );
        case "network":
          if (attempt >= MAX_ATTEMPTS) {
            throw new LoadAbort(
              "connect",
              `${label}: ${res.message} (after ${attempt} attempts)`,
            );
          }
      }
    } else if (res.status === 429 || res.status >= 500) {
      if (attempt >= MAX_ATTEMPTS) {
        throw new LoadAbort(
          "http_status",
          `${label} answered ${res.status} after ${attempt} attempts: ${res.bodyText.slice(0, 200)}`,
        );
      }
      retryAfterMs = parseRetryAfter(res.headers["retry-after"], new Date());
    } else {
      return res;
    }
    const backoff =
      BACKOFF_BASE_MS * 4 ** (attempt - 1) * (0.75 + Math.random() * 0.5);
    const wait = Math.min(retryAfterMs ?? backoff, MAX_RETRY_WAIT_MS);
    if (wait >= remaining(deadline)) {
      throw new LoadAbort(
        "timeout",
        `${label}: the server asked to retry in ${Math.ceil(wait / 1000)} s, past timeout_seconds`,
      );
    }
    await waitBeforeRetry(wait, signal);
  }
}
