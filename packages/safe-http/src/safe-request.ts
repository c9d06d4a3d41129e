import { errors, request } from "undici";

import { describeHost, resolveTarget } from "./check-url.js";
import { createPinnedAgent } from "./pinned-agent.js";

export interface SafeRequestOptions {
  url: string | URL;
  /** @default "GET" */
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD";
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Bound on the whole exchange: DNS, connect, headers and body. */
  timeoutMs: number;
  /** The body is read up to this many bytes; past it the request is aborted. */
  maxResponseBytes: number;
  allowPrivateNetworks: boolean;
  /** Names the switch that would allow a refused private target (see `UrlGuardOptions`). */
  privateNetworkHint?: string;
  signal?: AbortSignal;
}

export interface SafeResponse {
  ok: true;
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  bytes: Buffer;
  bodyText: string;
  latencyMs: number;
}

export type SafeRequestErrorKind =
  "refused" | "timeout" | "aborted" | "too_large" | "network";

/** A failed request. `message` names the host only, never the path, query or headers. */
export interface SafeRequestError {
  ok: false;
  kind: SafeRequestErrorKind;
  message: string;
  latencyMs: number;
}

const fail = (
  kind: SafeRequestErrorKind,
  message: string,
  startedAt: number,
): SafeRequestError => ({
  ok: false,
  kind,
  message,
  latencyMs: Math.round(performance.now() - startedAt),
});

function flattenHeaders(
  raw: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) {
      out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
    }
  }
  return out;
}

/**
 * One outbound HTTP request with Vigil's guard rails: the target is resolved and
 * checked (see `checkUrlAllowed`) and the connection is pinned to the checked address;
 * redirects are never followed (a 3xx comes back as is, `location` in its headers);
 * `timeoutMs` bounds the whole exchange; the body is capped at `maxResponseBytes`.
 * Failures are returned, never thrown.
 */
export async function safeRequest(
  options: SafeRequestOptions,
): Promise<SafeResponse | SafeRequestError> {
  const startedAt = performance.now();
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  const onCallerAbort = () => controller.abort();
  options.signal?.addEventListener("abort", onCallerAbort, { once: true });
  if (options.signal?.aborted === true) {
    controller.abort();
  }
  const interrupted = () =>
    timedOut
      ? fail(
          "timeout",
          `no complete response within ${options.timeoutMs} ms`,
          startedAt,
        )
      : fail("aborted", "request aborted", startedAt);
  try {
    const target = await Promise.race([
      resolveTarget(options.url, {
        allowPrivateNetworks: options.allowPrivateNetworks,
        ...(options.privateNetworkHint === undefined
          ? {}
          : { privateNetworkHint: options.privateNetworkHint }),
      }),
      new Promise<null>((resolve) => {
        if (controller.signal.aborted) {
          resolve(null);
        }
        controller.signal.addEventListener("abort", () => resolve(null), {
          once: true,
        });
      }),
    ]);
    if (target === null) {
      return interrupted();
    }
    if (!target.ok) {
      return fail("refused", target.reason, startedAt);
    }
    const agent = createPinnedAgent(target, options.timeoutMs);
    try {
      return await exchange(
        options,
        target.url,
        agent,
        controller.signal,
        startedAt,
      );
    } catch (error) {
      if (controller.signal.aborted) {
        return interrupted();
      }
      if (
        error instanceof errors.HeadersTimeoutError ||
        error instanceof errors.BodyTimeoutError ||
        error instanceof errors.ConnectTimeoutError
      ) {
        return fail(
          "timeout",
          `no complete response within ${options.timeoutMs} ms`,
          startedAt,
        );
      }
      const code = (error as { code?: unknown }).code;
      return fail(
        "network",
        `request to ${describeHost(target.url)} failed${typeof code === "string" ? ` (${code})` : ""}`,
        startedAt,
      );
    } finally {
      agent.destroy().catch(() => undefined);
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onCallerAbort);
  }
}

async function exchange(
  options: SafeRequestOptions,
  url: URL,
  agent: ReturnType<typeof createPinnedAgent>,
  signal: AbortSignal,
  startedAt: number,
): Promise<SafeResponse | SafeRequestError> {
  const response = await request(url, {
    method: options.method ?? "GET",
    headers: options.headers,
    body: options.body,
    dispatcher: agent,
    signal,
  });
  const headers = flattenHeaders(response.headers);
  const declared = Number(headers["content-length"]);
  if (Number.isFinite(declared) && declared > options.maxResponseBytes) {
    response.body.destroy();
    return fail(
      "too_large",
      `response from ${describeHost(url)} declares ${declared} bytes, over the ${options.maxResponseBytes}-byte cap`,
      startedAt,
    );
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    const buf = chunk as Buffer;
    total += buf.length;
    if (total > options.maxResponseBytes) {
      response.body.destroy();
      return fail(
        "too_large",
        `response from ${describeHost(url)} exceeded the ${options.maxResponseBytes}-byte cap`,
        startedAt,
      );
    }
    chunks.push(buf);
  }
  const bytes = Buffer.concat(chunks, total);
  return {
    ok: true,
    status: response.statusCode,
    headers,
    bytes,
    bodyText: bytes.toString("utf8"),
    latencyMs: Math.round(performance.now() - startedAt),
  };
}
