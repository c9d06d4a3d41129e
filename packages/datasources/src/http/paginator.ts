import type { HttpPagination } from "@vigil/contracts";

import { LoadAbort } from "../result.js";
import { describeJsonType, readJsonPath } from "./json-path.js";
import { parseNextLink } from "./link-header.js";

export interface FetchedPage {
  url: URL;
  itemCount: number;
  body: unknown;
  headers: Record<string, string>;
}

export interface Paginator {
  first: URL;
  /** The next page's URL, or null when the last page was fetched. */
  next(page: FetchedPage): URL | null;
}

const withParams = (url: URL, params: Record<string, string | number>): URL => {
  const next = new URL(url);
  for (const [name, value] of Object.entries(params)) {
    next.searchParams.set(name, String(value));
  }
  return next;
};

/**
 * Walks the pages of an HTTP source. Page and offset paging stop at the first empty
 * page (not at a short one: a server that caps the page size below the requested one
 * would otherwise lose rows); cursor paging stops when the cursor is empty or missing;
 * link paging stops when there is no `rel="next"`. A next link to another origin is
 * refused, because the source's credentials would go with it.
 */
export function createPaginator(
  pagination: HttpPagination | undefined,
  base: URL,
): Paginator {
  if (pagination === undefined) {
    return { first: base, next: () => null };
  }
  switch (pagination.type) {
    case "page": {
      let page = pagination.start;
      const size =
        pagination.size_param === undefined
          ? {}
          : { [pagination.size_param]: pagination.size ?? 0 };
      return {
        first: withParams(base, { [pagination.param]: page, ...size }),
        next: ({ url, itemCount }) =>
          itemCount === 0
            ? null
            : withParams(url, { [pagination.param]: ++page }),
      };
    }
    case "offset": {
      let offset = 0;
      return {
        first: withParams(base, {
          [pagination.param]: 0,
          [pagination.limit_param]: pagination.limit,
        }),
        next: ({ url, itemCount }) => {
          offset += itemCount;
          return itemCount === 0
            ? null
            : withParams(url, { [pagination.param]: offset });
        },
      };
    }
    case "cursor": {
      const seen = new Set<string>();
      return {
        first: base,
        next: ({ url, body }) => {
          const cursor = readJsonPath(body, pagination.cursor_path);
          if (
            cursor === undefined ||
            cursor === null ||
            cursor === "" ||
            cursor === false
          ) {
            return null;
          }
          if (typeof cursor !== "string" && typeof cursor !== "number") {
            throw new LoadAbort(
              "bad_response",
              `the cursor at ${pagination.cursor_path} is ${describeJsonType(cursor)}, expected a string or number`,
            );
          }
          if (seen.has(String(cursor))) {
            throw new LoadAbort(
              "bad_response",
              `the server returned the same cursor twice (${pagination.cursor_path}); paging would never end`,
            );
          }
          seen.add(String(cursor));
          return withParams(url, { [pagination.param]: cursor });
        },
      };
    }
    case "link":
      return {
        first: base,
        next: ({ url, headers }) => {
          const next = parseNextLink(headers.link, url);
          if (next !== null && next.origin !== base.origin) {
            throw new LoadAbort(
              "bad_response",
              `the next-page link points to another origin (${next.host}); it is not followed so credentials stay with ${base.host}`,
            );
          }
          return next;
        },
      };
  }
}
