import { describe, expect, it } from "vitest";

import { readJsonPath } from "./json-path.js";
import { parseNextLink } from "./link-header.js";
import { applyWindowToUrl } from "./window-url.js";

describe("parseNextLink", () => {
  const base = new URL("https://api.example.com/v1/items?page=1");

  it("finds rel=next among several links and resolves it against the page URL", () => {
    const header =
      '<https://api.example.com/v1/items?page=1>; rel="prev", </v1/items?page=2>; rel="next", <?page=9>; rel=last';
    expect(parseNextLink(header, base)?.href).toBe(
      "https://api.example.com/v1/items?page=2",
    );
  });

  it("accepts an unquoted and multi-valued rel, and returns null without next", () => {
    expect(parseNextLink("<items?page=3>; rel=next", base)?.href).toBe(
      "https://api.example.com/v1/items?page=3",
    );
    expect(
      parseNextLink('<items?page=4>; title="x"; rel="next last"', base)?.href,
    ).toBe("https://api.example.com/v1/items?page=4");
    expect(parseNextLink('<items?page=1>; rel="prev"', base)).toBeNull();
    expect(parseNextLink(undefined, base)).toBeNull();
  });
});

describe("applyWindowToUrl", () => {
  const window = {
    start: new Date("2026-11-22T10:00:00Z"),
    end: new Date("2026-11-22T11:00:00Z"),
  };

  it("replaces {start} and {end} in query values, URL-encoded, keeping repeated parameters", () => {
    const url = applyWindowToUrl(
      "https://x.example/a/{start}?since={start}&until={end}&tag=a&tag=b",
      window,
    );
    expect(url.pathname).toBe("/a/%7Bstart%7D");
    expect(url.searchParams.get("since")).toBe("2026-11-22T10:00:00.000Z");
    expect(url.search).toContain("until=2026-11-22T11%3A00%3A00.000Z");
    expect(url.searchParams.getAll("tag")).toEqual(["a", "b"]);
  });

  it("leaves a URL without placeholders exactly as written", () => {
    expect(applyWindowToUrl("https://x.example/a?q=a%20b", window).href).toBe(
      "https://x.example/a?q=a%20b",
    );
  });
});

describe("readJsonPath", () => {
  it("reads nested keys and array indexes, and undefined for anything missing", () => {
    const body = { data: { items: [{ id: 1 }] }, meta: null };
    expect(readJsonPath(body, "data.items.0.id")).toBe(1);
    expect(readJsonPath(body, "meta.next")).toBeUndefined();
    expect(readJsonPath(body, "data.nope")).toBeUndefined();
    expect(readJsonPath(body, "constructor")).toBeUndefined();
  });
});
