import type { JsonValue } from "../tables/common.js";

/** Keys whose values never enter the audit trail. */
const SECRET_KEY = /secret|token|password/i;
/** What a `*_env` key holds by contract: the name of a secret, not its value. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const REDACTED = "[redacted]";

function redact(value: JsonValue): JsonValue {
  if (Array.isArray(value)) {
    return value.map(redact);
  }
  if (value === null || typeof value !== "object") {
    return value;
  }
  // no prototype: a "__proto__" key stays an ordinary key, as JSON.parse makes it
  const out = Object.create(null) as Record<string, JsonValue>;
  for (const [key, v] of Object.entries(value)) {
    // project configs name secrets (`token_env`, `secret_env`) and never hold them; a name
    // is kept so the trail shows which secret a change points at, anything else is dropped
    const isEnvName =
      key.endsWith("_env") && typeof v === "string" && ENV_NAME.test(v);
    out[key] = SECRET_KEY.test(key) && !isEnvName ? REDACTED : redact(v);
  }
  return out;
}

/**
 * A value as the audit trail stores it: plain JSON (dates as ISO strings, undefined
 * dropped, as jsonb would keep it) with the value of every key matching
 * /secret|token|password/i replaced by "[redacted]", at any depth. Configs hold only secret
 * names (`*_env`), so this is a second line of defence, e.g. for a token shown once at
 * creation; `*_env` keys whose value is a plain variable name are kept.
 */
export function redactSecrets(value: unknown): JsonValue {
  if (value === undefined) {
    return null;
  }
  return redact(JSON.parse(JSON.stringify(value)) as JsonValue);
}
