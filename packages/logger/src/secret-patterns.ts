/**
 * Patterns for secrets inside free text. Each one is safe to run on a serialized JSON log
 * line: no match consumes a `"` or ends inside a `\` escape, so the line stays valid JSON.
 */

export const CENSOR = "***";

/** `scheme://user:password@host` → `scheme://user:***@host`. Greedy up to the last `@` of the authority. */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:@/?#"]*:)[^\s/?#"]*@/gi;

/**
 * `Authorization: Bearer xyz` → `Bearer ***`. The lookbehind also accepts a JSON escape
 * (`\n`), which `\b` would not: in `\nBearer` the `n` and `B` are both word characters.
 */
const BEARER =
  /(?<=^|[^A-Za-z0-9]|\\[nrt])([Bb]earer|BEARER)(\s+)[A-Za-z0-9\-._~+/]+=*/g;
/** Case-sensitive and at least 8 characters, so plain English ("basic rules") is left alone. */
const BASIC = /(?<=^|[^A-Za-z0-9]|\\[nrt])(Basic)(\s+)[A-Za-z0-9+/]{8,}=*/g;

const SECRET_WORD =
  "(?:password|passwd|secret|token|tokens|api[_-]?key|authorization|cookie)";

/** `password=x`, `PGPASSWORD=x`, `?access_token=x`, libpq `password=x` → `...=***`. */
const KEY_EQUALS_VALUE = new RegExp(
  `([A-Za-z0-9_-]*${SECRET_WORD})=[^\\s&;"'\\\\]+`,
  "gi",
);

/** A JSON member at any depth: `"apiToken":"x"`, `"set-cookie":"x"` → `"apiToken":"***"`. */
const JSON_MEMBER = new RegExp(
  `"([A-Za-z0-9_-]*${SECRET_WORD})":"(?:[^"\\\\]|\\\\.)*"`,
  "gi",
);

/** Replaces every pattern in `text`. Cheap `includes` checks skip patterns that cannot match. */
export function redactPatterns(text: string): string {
  let out = text;
  if (out.includes("://")) {
    out = out.replace(URL_PASSWORD, `$1${CENSOR}@`);
  }
  if (out.includes("earer") || out.includes("EARER")) {
    out = out.replace(BEARER, `$1$2${CENSOR}`);
  }
  if (out.includes("Basic")) {
    out = out.replace(BASIC, `$1$2${CENSOR}`);
  }
  if (out.includes("=")) {
    out = out.replace(KEY_EQUALS_VALUE, `$1=${CENSOR}`);
  }
  if (out.includes('":"')) {
    out = out.replace(JSON_MEMBER, `"$1":"${CENSOR}"`);
  }
  return out;
}
