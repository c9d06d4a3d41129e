/**
 * The `rel="next"` target of an RFC 8288 `Link` header, resolved against the URL of the
 * page that sent it, or null when there is none.
 * Example: `<https://api.example.com/items?page=3>; rel="next", <...>; rel="last"`.
 */
export function parseNextLink(
  header: string | undefined,
  base: URL,
): URL | null {
  if (header === undefined) {
    return null;
  }
  for (const match of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const [, target = "", params = ""] = match;
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
    const relations = (rel?.[1] ?? rel?.[2] ?? "").toLowerCase().split(/\s+/);
    if (relations.includes("next") && URL.canParse(target, base.href)) {
      return new URL(target, base);
    }
  }
  return null;
}
