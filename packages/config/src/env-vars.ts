import {
  ENV_FRAGMENTS,
  type AppName,
  type EnvVarName,
} from "./fragments/index.js";
import { coreDocs } from "./env-docs/core.js";
import { executorDocs } from "./env-docs/executor.js";
import { reportsDocs } from "./env-docs/reports.js";
import { datasourcesDocs } from "./env-docs/datasources.js";
import { triggerCreatorDocs } from "./env-docs/trigger-creator.js";
import { cleanerDocs } from "./env-docs/cleaner.js";
import { startDocs } from "./env-docs/start.js";

/**
 * How a secret variable is kept out of logs: "value"/"list" values are registered with the
 * logger as exact strings; a "url-password" is caught by the logger's URL pattern.
 */
export type SecretKind = "value" | "list" | "url-password";

export interface EnvVarDoc {
  /** The default as a user would write it (`1mb`), parsed in tests to equal the real default. */
  default?: string;
  /** For defaults computed at start (e.g. from the CPU count): shown instead of a value. */
  computedDefault?: string;
  required?: boolean;
  secret?: SecretKind;
  meaning: string;
}

/**
 * The documentation of every variable, by area (./env-docs/), in the README table's order.
 * `Record<EnvVarName, ...>` makes a new variable in a fragment a type error until it is
 * documented there, and an unknown name in an area file one too.
 */
const DOCS: Record<EnvVarName, EnvVarDoc> = {
  ...coreDocs,
  ...executorDocs,
  ...reportsDocs,
  ...datasourcesDocs,
  ...triggerCreatorDocs,
  ...cleanerDocs,
  ...startDocs,
};

export interface EnvVar extends EnvVarDoc {
  name: EnvVarName;
  /** Fragments that define the variable, e.g. `["executorEnv", "triggerCreatorEnv"]`. */
  fragments: (keyof typeof ENV_FRAGMENTS)[];
  apps: AppName[];
}

function describeVariable(name: EnvVarName): EnvVar {
  const fragments = (
    Object.keys(ENV_FRAGMENTS) as (keyof typeof ENV_FRAGMENTS)[]
  ).filter((fragment) => name in ENV_FRAGMENTS[fragment].shape);
  const apps = new Set<AppName>(
    fragments.flatMap((fragment) => ENV_FRAGMENTS[fragment].apps),
  );
  return { name, ...DOCS[name], fragments, apps: [...apps] };
}

/** Every variable Vigil reads: the single source of the README's env table. */
export const ENV_VARS: readonly EnvVar[] = (
  Object.keys(DOCS) as EnvVarName[]
).map(describeVariable);
