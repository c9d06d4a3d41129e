import { readFileSync } from "node:fs";

import { parse } from "yaml";

export interface ComposeService {
  command?: string[];
  environment?: Record<string, string | number | boolean | null>;
  ports?: string[];
  profiles?: string[];
  user?: string;
  read_only?: boolean;
  cap_add?: string[];
  cap_drop?: string[];
  security_opt?: string[];
  container_name?: string;
  healthcheck?: { test: string[] };
  volumes?: string[];
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
}

/** Reads a compose file with its anchors and `<<` merge keys resolved, as compose does. */
export function readComposeFile(file: string): ComposeFile {
  return parse(readFileSync(file, "utf8"), { merge: true }) as ComposeFile;
}

/**
 * Compose's variable substitution: `$VAR`, `${VAR}`, `${VAR:-default}` / `${VAR-default}`
 * (default when unset or empty / unset), `${VAR:?message}` / `${VAR?message}` (an error when
 * unset or empty / unset), `$$` for a literal `$`.
 */
export function interpolate(
  text: string,
  env: Record<string, string | undefined>,
): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (
      match,
      braced?: string,
      colon?: string,
      op?: string,
      arg?: string,
      bare?: string,
    ) => {
      if (match === "$$") {
        return "$";
      }
      const name = (braced ?? bare)!;
      const value = env[name];
      const missing = colon ? !value : value === undefined;
      if (op === "-") {
        return missing ? arg! : value!;
      }
      if (op === "?") {
        if (missing) {
          throw new Error(`${name}: ${arg || "required"}`);
        }
        return value!;
      }
      return value ?? "";
    },
  );
}

/** A service's environment with every value substituted, as strings. */
export function serviceEnvironment(
  service: ComposeService,
  env: Record<string, string | undefined>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([k, v]) => [
      k,
      interpolate(String(v ?? ""), env),
    ]),
  );
}
