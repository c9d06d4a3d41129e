import { z } from "zod";

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** True when `text` is an absolute URL whose scheme is one of `protocols` (e.g. "https:"). */
export function isUrlWithProtocol(
  text: string,
  protocols: readonly string[],
): boolean {
  const url = parseUrl(text);
  return url !== undefined && protocols.includes(url.protocol);
}

/** True when `text` is exactly an http(s) origin: scheme, host and optional port, no path. */
export function isHttpOrigin(text: string): boolean {
  const url = parseUrl(text);
  return (
    url !== undefined &&
    ["http:", "https:"].includes(url.protocol) &&
    url.origin === text.replace(/\/$/, "")
  );
}

/**
 * A URL variable restricted to some schemes. The URL itself is kept as a string (callers
 * pass it on to pg, fetch, ...). The message names the expected schemes only: URLs can
 * carry passwords and webhook tokens.
 */
export function envUrl(protocols: readonly string[]) {
  const names = protocols.map((p) => `${p}//`).join(" or ");
  return z
    .string()
    .trim()
    .refine((text) => isUrlWithProtocol(text, protocols), {
      message: `expected a URL starting with ${names}`,
    });
}

/** A PostgreSQL connection URL (`postgres://` or `postgresql://`), as libpq and pg accept it. */
export function envPostgresUrl() {
  return envUrl(["postgres:", "postgresql:"]);
}

/** An http(s) URL such as a report receiver or the public address of the API. */
export function envHttpUrl() {
  return envUrl(["http:", "https:"]);
}
