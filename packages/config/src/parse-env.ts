import { z } from "zod";

import { resolveSecretFiles } from "./secret-files.js";

/** One invalid variable: its name and why, never its value. */
export interface EnvProblem {
  variable: string;
  reason: string;
}

export type EnvParseResult<T> =
  { ok: true; config: T } | { ok: false; problems: EnvProblem[] };

export type Env = Readonly<Record<string, string | undefined>>;

/** Values at least this long are masked if a (custom) message happens to quote them. */
const MIN_MASKED_VALUE_LENGTH = 6;

/** `FOO=` and `FOO="  "` mean "use the default", as in most twelve-factor tools. */
function dropEmptyValues(env: Env): Record<string, string> {
  const cleaned: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== "") {
      cleaned[name] = value;
    }
  }
  return cleaned;
}

/**
 * Messages for zod's built-in issues, phrased without the input. Our own env kinds set
 * their messages themselves; this covers what an app writes with plain zod.
 */
function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === "invalid_type" && issue.input === undefined) {
    return "required but not set";
  }
  return undefined;
}

function maskValue(reason: string, value: string | undefined): string {
  if (value === undefined || value.length < MIN_MASKED_VALUE_LENGTH) {
    return reason;
  }
  return reason.split(value).join("***");
}

function collectProblems(
  issues: readonly z.core.$ZodIssue[],
  env: Env,
): EnvProblem[] {
  const byVariable = new Map<string, string[]>();
  for (const issue of issues) {
    const first = issue.path[0];
    const variable = first === undefined ? "(environment)" : String(first);
    const reason = maskValue(issue.message, env[variable]);
    const reasons = byVariable.get(variable) ?? [];
    if (!reasons.includes(reason)) {
      reasons.push(reason);
    }
    byVariable.set(variable, reasons);
  }
  return [...byVariable].map(([variable, reasons]) => ({
    variable,
    reason: reasons.join("; "),
  }));
}

/**
 * Parses `env` with `schema`; the only side effect is reading the files secret variables
 * name through `NAME_FILE`. Empty values count as unset.
 * On failure, returns every problem, one per variable (several reasons joined by "; ").
 */
export function tryParseEnv<S extends z.ZodType>(
  schema: S,
  env: Env = process.env,
): EnvParseResult<z.output<S>> {
  const wanted =
    schema instanceof z.ZodObject
      ? new Set(Object.keys(schema.shape))
      : undefined;
  const files = resolveSecretFiles(env, wanted);
  const result = schema.safeParse(dropEmptyValues(files.env), {
    error: describeIssue,
  });
  if (result.success && files.problems.length === 0) {
    return { ok: true, config: result.data };
  }
  const parsed = result.success
    ? []
    : collectProblems(result.error.issues, files.env).filter(
        (p) =>
          !files.problems.some(
            (f) =>
              f.variable === p.variable || f.variable === `${p.variable}_FILE`,
          ),
      );
  return { ok: false, problems: [...files.problems, ...parsed] };
}

/** One line per problem, e.g. `invalid environment: LEASE_SECONDS: expected an integer >= 5, ...`. */
export function formatEnvProblems(problems: readonly EnvProblem[]): string {
  return problems
    .map(
      ({ variable, reason }) => `invalid environment: ${variable}: ${reason}\n`,
    )
    .join("");
}

/** Exit code for bad configuration, distinct from 1 (crash) so supervisors can tell them apart. */
export const ENV_EXIT_CODE = 2;

/**
 * Parses `env` with `schema`, or prints every problem to stderr (one line per variable,
 * never a value, since values may be secrets) and exits with code 2.
 * Call it only from an app's `main.ts`/`config.ts`; libraries take config as arguments.
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: Env = process.env,
): z.output<S> {
  const result = tryParseEnv(schema, env);
  if (result.ok) {
    return result.config;
  }
  // stderr to a pipe or file is synchronous on POSIX, so the lines are out before exit.
  process.stderr.write(formatEnvProblems(result.problems));
  process.exit(ENV_EXIT_CODE);
}
