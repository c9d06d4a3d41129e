import { readFileSync } from "node:fs";

import { ENV_VARS } from "./env-vars.js";
import type { Env, EnvProblem } from "./parse-env.js";

/** The Docker and Kubernetes secrets convention: `NAME_FILE` names a file holding NAME. */
export const FILE_SUFFIX = "_FILE";

const SECRET_NAMES = new Set(
  ENV_VARS.filter((v) => v.secret !== undefined).map((v) => v.name),
);

const isSet = (value: string | undefined): value is string =>
  value !== undefined && value.trim() !== "";

/**
 * Returns `env` with every secret variable given as `NAME_FILE` replaced by the file's
 * content (one trailing line break removed, as editors and `echo` add one). Setting both
 * NAME and NAME_FILE is a problem, not a silent choice; so is a file that cannot be read.
 * Only the variables in `wanted` are read, so an app never opens another app's secrets.
 */
export function resolveSecretFiles(
  env: Env,
  wanted: ReadonlySet<string> | undefined,
): { env: Env; problems: EnvProblem[] } {
  const resolved: Record<string, string | undefined> = { ...env };
  const problems: EnvProblem[] = [];
  for (const name of SECRET_NAMES) {
    const path = env[name + FILE_SUFFIX];
    if ((wanted !== undefined && !wanted.has(name)) || !isSet(path)) {
      continue;
    }
    if (isSet(env[name])) {
      problems.push({
        variable: name,
        reason: `both ${name} and ${name}${FILE_SUFFIX} are set; set only one`,
      });
      continue;
    }
    try {
      resolved[name] = readFileSync(path, "utf8").replace(/\r?\n$/, "");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
      problems.push({
        variable: name + FILE_SUFFIX,
        reason: `cannot read the file it names (${code})`,
      });
    }
  }
  return { env: resolved, problems };
}
