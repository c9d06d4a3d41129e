import { ENV_VARS, type SecretKind } from "./env-vars.js";

function secretStrings(kind: SecretKind, value: unknown): string[] {
  if (kind === "list") {
    return Array.isArray(value)
      ? value.filter((item): item is string => typeof item === "string")
      : [];
  }
  if (typeof value !== "string") {
    return [];
  }
  // A URL's password is left to the logger's URL pattern (`scheme://user:***@host`):
  // matching it as a bare word would censor every "postgres" or "password" in the logs
  // when the embedded database uses such a password.
  return kind === "url-password" ? [] : [value];
}

/**
 * The secret values in a parsed config (API tokens, the signing secret, the report URL), for `registerSecrets` in @vigil/logger:
 * `registerSecrets(collectSecretValues(config))`. Variables absent from `config` are skipped.
 */
export function collectSecretValues(
  config: Readonly<Record<string, unknown>>,
): string[] {
  return ENV_VARS.flatMap((variable) =>
    variable.secret === undefined
      ? []
      : secretStrings(variable.secret, config[variable.name]),
  );
}
