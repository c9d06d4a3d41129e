import type { HttpDataSource } from "@vigil/contracts";

import type { ByteBudget } from "../byte-budget.js";
import type { NdjsonWriter } from "../ndjson-writer.js";
import { runTooLarge } from "../byte-budget.js";
import { LoadAbort } from "../result.js";
import { type ReadSecret, resolveAuth } from "./auth.js";
import { fetchPageWithRetries } from "./fetch-with-retries.js";
import { describeJsonType, readJsonPath } from "./json-path.js";
import { createPaginator } from "./paginator.js";
import { applyWindowToUrl } from "./window-url.js";

export interface HttpLoadOptions {
  source: HttpDataSource;
  window: { start: Date; end: Date };
  writer: NdjsonWriter;
  readSecret: ReadSecret;
  signal: AbortSignal;
  /** DATASOURCE_MAX_BYTES over all pages: each body is read at most up to what is left. */
  budget: ByteBudget;
  /** DATASOURCE_ALLOW_PRIVATE_NETWORKS; the source's `allow_private_network` must be set too. */
  allowPrivateNetworks: boolean;
}

const PRIVATE_NETWORK_HINT =
  "set DATASOURCE_ALLOW_PRIVATE_NETWORKS=true on the executor and allow_private_network: true on the source to allow it";

/** The rows of one parsed page: the body itself, or the array at `items_path`. */
function extractItems(
  body: unknown,
  source: HttpDataSource,
  pageNumber: number,
): Record<string, unknown>[] {
  const items =
    source.items_path === undefined
      ? body
      : readJsonPath(body, source.items_path);
  if (!Array.isArray(items)) {
    const where =
      source.items_path === undefined
        ? "the response body"
        : `items_path "${source.items_path}"`;
    const hint =
      source.items_path === undefined
        ? "; set items_path to the array's dot path"
        : "";
    throw new LoadAbort(
      "bad_response",
      `page ${pageNumber}: ${where} is ${describeJsonType(items)}, expected an array of rows${hint}`,
    );
  }
  const bad = items.findIndex(
    (item) => item === null || typeof item !== "object" || Array.isArray(item),
  );
  if (bad !== -1) {
    throw new LoadAbort(
      "bad_response",
      `page ${pageNumber}: item ${bad} is ${describeJsonType(items[bad])}, expected an object (one row)`,
    );
  }
  return items as Record<string, unknown>[];
}

/**
 * Loads every page of an HTTP source into `writer`. `timeout_seconds` bounds the whole
 * load (all pages, retries and waits). Stops with `too_many_rows` past `max_rows` rows
 * or when `max_pages` pages were read and the source still had more: silently
 * truncated input would make detectors report wrong findings.
 */
export async function loadHttpRows({
  source,
  window,
  writer,
  readSecret,
  signal,
  budget,
  allowPrivateNetworks,
}: HttpLoadOptions): Promise<void> {
  const deadline = Date.now() + source.timeout_seconds * 1000;
  const auth = resolveAuth(source.auth, readSecret);
  const headers: Record<string, string> = {
    accept: "application/json",
    ...auth.headers,
  };
  for (const [name, value] of Object.entries(source.headers)) {
    headers[name.toLowerCase()] = value;
  }
  let body: string | undefined;
  if (source.body !== undefined) {
    body = JSON.stringify(source.body);
    headers["content-type"] ??= "application/json";
  }
  const paginator = createPaginator(
    source.pagination,
    applyWindowToUrl(source.url, window),
  );
  let url: URL | null = paginator.first;
  for (let pageNumber = 1; url !== null; pageNumber++) {
    if (pageNumber > source.max_pages) {
      throw new LoadAbort(
        "too_many_rows",
        `read max_pages=${source.max_pages} pages and the source has more; raise max_pages or narrow the window`,
      );
    }
    const label = `${source.method} ${url.host}${url.pathname} (page ${pageNumber})`;
    // The body is streamed and cut off at the cap, so a huge answer is never held whole.
    const runCapped = budget.remaining < source.max_response_bytes;
    if (budget.remaining === 0) {
      throw (
        budget.failure ??
        runTooLarge(
          budget.received + 1,
          budget.limits,
          `before page ${pageNumber}`,
        )
      );
    }
    const res = await fetchPageWithRetries({
      request: {
        url: auth.authorizeUrl(url),
        method: source.method,
        headers,
        body,
        maxResponseBytes: Math.min(source.max_response_bytes, budget.remaining),
        allowPrivateNetworks:
          allowPrivateNetworks && source.allow_private_network,
        privateNetworkHint: PRIVATE_NETWORK_HINT,
      },
      tooLarge: runCapped
        ? {
            code: "too_many_bytes",
            limit: "DATASOURCE_MAX_BYTES, over all pages",
          }
        : { code: "bad_response", limit: "max_response_bytes" },
      deadline,
      signal,
      label,
    });
    budget.receive(res.bytes.length, `in ${pageNumber} page(s)`);
    if (res.status < 200 || res.status >= 300) {
      const redirect =
        res.status >= 300 && res.status < 400
          ? " (redirects are not followed; use the final URL)"
          : "";
      throw new LoadAbort(
        "http_status",
        `${label} answered ${res.status}${redirect}: ${res.bodyText.slice(0, 200)}`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.bodyText);
    } catch {
      throw new LoadAbort(
        "bad_response",
        `${label}: the body is not JSON (content-type ${res.headers["content-type"] ?? "missing"})`,
      );
    }
    const items = extractItems(parsed, source, pageNumber);
    if (writer.rowCount + items.length > source.max_rows) {
      throw new LoadAbort(
        "too_many_rows",
        `the source returned more than max_rows=${source.max_rows} rows; narrow the window or raise max_rows`,
      );
    }
    await writer.writeRows(items);
    url = paginator.next({
      url,
      itemCount: items.length,
      body: parsed,
      headers: res.headers,
    });
  }
}
