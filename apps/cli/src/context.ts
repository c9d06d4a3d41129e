import type { CliConfig } from "./config.js";
import { resolveDatabaseUrl } from "./database-target.js";

/** What every command gets: config, output, and the database URL resolved on demand. */
export interface CliContext {
  config: CliConfig;
  /** The environment `vigil start` passes on to the apps it starts. */
  env: NodeJS.ProcessEnv;
  out(line: string): void;
  err(line: string): void;
  databaseUrl(): string;
}

export function createCliContext(
  config: CliConfig,
  env: NodeJS.ProcessEnv,
): CliContext {
  return {
    config,
    env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    databaseUrl: () => resolveDatabaseUrl(config),
  };
}
