import { apiEnv } from "./api.js";
import { channelEnv } from "./channel.js";
import { cleanerEnv } from "./cleaner.js";
import { databaseEnv, optionalDatabaseEnv } from "./database.js";
import { datasourceEnv } from "./datasource.js";
import { dryRunEnv } from "./dry-run.js";
import { embeddedEnv } from "./embedded.js";
import { executorEnv } from "./executor.js";
import { logEnv } from "./log.js";
import { metricsEnv } from "./metrics.js";
import { reportEnv } from "./report.js";
import { triggerCreatorEnv } from "./trigger-creator.js";

export const APP_NAMES = [
  "api",
  "trigger-creator",
  "executor",
  "cleaner",
  "cli",
] as const;
export type AppName = (typeof APP_NAMES)[number];

/**
 * Every fragment with the apps meant to spread it. The "apps" column of the env table
 * is derived from this, so a variable's apps follow from the fragments it belongs to.
 */
export const ENV_FRAGMENTS = {
  databaseEnv: {
    shape: databaseEnv,
    apps: ["api", "trigger-creator", "executor", "cleaner"],
  },
  optionalDatabaseEnv: { shape: optionalDatabaseEnv, apps: ["cli"] },
  logEnv: {
    shape: logEnv,
    apps: ["api", "trigger-creator", "executor", "cleaner", "cli"],
  },
  apiEnv: { shape: apiEnv, apps: ["api"] },
  executorEnv: { shape: executorEnv, apps: ["executor"] },
  reportEnv: { shape: reportEnv, apps: ["executor"] },
  channelEnv: { shape: channelEnv, apps: ["executor", "api"] },
  datasourceEnv: { shape: datasourceEnv, apps: ["executor"] },
  dryRunEnv: { shape: dryRunEnv, apps: ["api"] },
  triggerCreatorEnv: { shape: triggerCreatorEnv, apps: ["trigger-creator"] },
  cleanerEnv: { shape: cleanerEnv, apps: ["cleaner"] },
  metricsEnv: {
    shape: metricsEnv,
    apps: ["trigger-creator", "executor", "cleaner"],
  },
  embeddedEnv: { shape: embeddedEnv, apps: ["cli"] },
} as const satisfies Record<
  string,
  { shape: object; apps: readonly AppName[] }
>;

type Fragments = typeof ENV_FRAGMENTS;
type KeysOfUnion<T> = T extends unknown ? keyof T : never;

/** The name of every variable some fragment defines. */
export type EnvVarName = Extract<
  KeysOfUnion<Fragments[keyof Fragments]["shape"]>,
  string
>;
