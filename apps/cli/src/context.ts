import type { CliConfig } from "./config.js";
import { resolveDatabaseUrl } from "./database-target.js";

/** What every command gets: config, output, and the database URL resolved on demand. */
export interface CliContext {
  config: CliConfig;
  out(line: string): void;
  err(line: string): void;
  databaseUrl(): string;
}

export function createCliContext(config: CliConfig): CliContext {
  return {
    config,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    databaseUrl: () => resolveDatabaseUrl(config),
  };
}
