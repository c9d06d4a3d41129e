/**
 * Structured fields pino censors by path before serializing (cheaper and more exact
 * than the text patterns, which stay as the safety net for anything these miss).
 * Paths are case-sensitive, so both spellings of header names are listed.
 */
const SECRET_KEYS = [
  "password",
  "passwd",
  "secret",
  "token",
  "tokens",
  "accessToken",
  "access_token",
  "refreshToken",
  "apiKey",
  "api_key",
  "apiToken",
  "apiTokens",
  "signingSecret",
  "authorization",
  "Authorization",
  "cookie",
  "connectionString",
];

const HEADER_KEYS = [
  "authorization",
  "Authorization",
  "cookie",
  "Cookie",
  '["set-cookie"]',
  '["x-api-key"]',
];

function headerPaths(prefix: string): string[] {
  return HEADER_KEYS.map((key) =>
    key.startsWith("[") ? `${prefix}${key}` : `${prefix}.${key}`,
  );
}

export const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((key) => `*.${key}`),
  ...headerPaths("headers"),
  ...headerPaths("*.headers"),
  ...headerPaths("req.headers"),
  ...headerPaths("res.headers"),
  ...headerPaths("err.config.headers"),
];
