import type { HttpAuth } from "@vigil/contracts";

/** Reads a secret by its `_env` name; throws `secret_missing` when it is not set. */
export type ReadSecret = (name: string) => string;

export interface ResolvedAuth {
  headers: Record<string, string>;
  /** Adds the credential to a page URL (API keys sent as a query parameter). */
  authorizeUrl(url: URL): URL;
}

/** Turns an auth block with `_env` references into the headers / query it sends. */
export function resolveAuth(
  auth: HttpAuth | undefined,
  readSecret: ReadSecret,
): ResolvedAuth {
  const unchanged = (url: URL) => url;
  if (auth === undefined) {
    return { headers: {}, authorizeUrl: unchanged };
  }
  switch (auth.type) {
    case "bearer":
      return {
        headers: { authorization: `Bearer ${readSecret(auth.token_env)}` },
        authorizeUrl: unchanged,
      };
    case "basic": {
      const pair = `${readSecret(auth.username_env)}:${readSecret(auth.password_env)}`;
      return {
        headers: {
          authorization: `Basic ${Buffer.from(pair, "utf8").toString("base64")}`,
        },
        authorizeUrl: unchanged,
      };
    }
    case "api_key": {
      const value = readSecret(auth.value_env);
      const query = auth.query;
      if (query !== undefined) {
        return {
          headers: {},
          authorizeUrl: (url) => {
            const withKey = new URL(url);
            withKey.searchParams.set(query, value);
            return withKey;
          },
        };
      }
      return {
        headers: { [(auth.header ?? "X-API-Key").toLowerCase()]: value },
        authorizeUrl: unchanged,
      };
    }
  }
}
