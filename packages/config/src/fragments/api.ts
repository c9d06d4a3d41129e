import { envBoolean } from "../kinds/boolean.js";
import { envByteSize } from "../kinds/byte-size.js";
import { envInteger } from "../kinds/integer.js";
import { envList } from "../kinds/list.js";
import { envString } from "../kinds/string.js";
import { envPostgresUrl, isHttpOrigin } from "../kinds/url.js";
import { PUBLIC_URL } from "./shared.js";

/** Shorter tokens are guessable by brute force against a public API. */
export const MIN_API_TOKEN_LENGTH = 16;

function checkApiToken(token: string): string | undefined {
  if (token.length < MIN_API_TOKEN_LENGTH) {
    return `each token must be at least ${MIN_API_TOKEN_LENGTH} characters`;
  }
  if (/\s/.test(token)) {
    return "a token must not contain whitespace";
  }
  return undefined;
}

function checkCorsOrigin(origin: string): string | undefined {
  return origin === "*" || isHttpOrigin(origin)
    ? undefined
    : "expected * or an origin like https://app.example.com";
}

export const apiEnv = {
  DATABASE_READ_URL: envPostgresUrl().optional(),
  PORT: envInteger({ min: 0, max: 65_535 }).default(8080),
  HOST: envString({
    pattern: /^[A-Za-z0-9.:[\]-]+$/,
    patternHint: "a host name or IP address",
  }).default("0.0.0.0"),
  API_TOKENS: envList({ checkEntry: checkApiToken }).default([]),
  API_READ_TOKEN_REQUIRED: envBoolean().default(false),
  API_BODY_LIMIT: envByteSize().default(1024 ** 2),
  API_UPLOAD_LIMIT: envByteSize().default(20 * 1024 ** 2),
  CORS_ORIGINS: envList({
    checkEntry: checkCorsOrigin,
    normalizeEntry: (o) => o.replace(/\/$/, ""),
  }).default([]),
  API_WRITE_RATE_LIMIT_PER_TOKEN: envInteger({ min: 0 }).default(120),
  API_WRITE_RATE_LIMIT_PER_IP: envInteger({ min: 0 }).default(300),
  API_RATE_LIMIT_WINDOW_SECONDS: envInteger({ min: 1, max: 86_400 }).default(
    60,
  ),
  PUBLIC_URL,
};
