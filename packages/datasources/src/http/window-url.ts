/**
 * Replaces `{start}` and `{end}` in the URL's query values with the window bounds as
 * ISO strings (URL-encoded by URLSearchParams). Only query values are touched: the
 * host and path are the operator's and stay as written.
 */
export function applyWindowToUrl(
  rawUrl: string,
  window: { start: Date; end: Date },
): URL {
  const url = new URL(rawUrl);
  if (
    !url.search.includes("{start}") &&
    !url.search.includes("{end}") &&
    !url.search.includes("%7Bstart%7D") &&
    !url.search.includes("%7Bend%7D")
  ) {
    return url;
  }
  const fill = (value: string) =>
    value
      .replaceAll("{start}", window.start.toISOString())
      .replaceAll("{end}", window.end.toISOString());
  const params = new URLSearchParams(
    [...new URLSearchParams(url.search)].map(
      ([name, value]): [string, string] => [name, fill(value)],
    ),
  );
  url.search = params.toString();
  return url;
}
