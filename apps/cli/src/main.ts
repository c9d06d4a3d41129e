#!/usr/bin/env node
import { parseArgs } from "node:util";

import { migrateCommand } from "./commands/migrate.js";
import { applyCommand, validateCommand } from "./commands/apply.js";
import { auditVerifyCommand } from "./commands/audit.js";
import { runCommand } from "./commands/run.js";
import { seedDemoCommand } from "./commands/seed-demo.js";
import { startCommand } from "./commands/start.js";
import { tailCommand } from "./commands/tail.js";
import {
  tokenCreateCommand,
  tokenListCommand,
  tokenRevokeCommand,
} from "./commands/token.js";
import { loadCliConfig } from "./config.js";
import { createCliContext } from "./context.js";
import { UsageError } from "./database-target.js";
import { applyEnvFile, readStartEnvFile } from "./env-file.js";

const USAGE = `vigil: discrepancy detectors on cron schedules

usage: vigil <command> [options]

  start [--no-demo] [--env-file PATH]
                             PostgreSQL (embedded unless DATABASE_URL is set), migrations, the demo
                             project, and the four apps as separate processes (what npm start runs);
                             reads .vigil/env if present, or PATH (the environment wins)
  migrate [--check]          apply pending migrations (idempotent); --check: exit 1 while any are pending
  seed-demo                  create the demo data and the demo-orders project
  validate -f FILE           check projects in a YAML/JSON file, touching nothing
  apply -f FILE              validate, then create or update the file's projects in one transaction
  trigger PROJECT            queue a run of PROJECT now
  run PROJECT [--timeout S]  queue a run and wait for its outcome
  tail [PROJECT]             follow executions as they finish
  token create NAME --scopes read,write [--projects a,b] [--expires ISO]
                             make an API token (scopes: read, write, triage, admin); prints its
                             secret once, on stdout
  token list                 every token: status, scopes, projects, expiry, last use (no secrets)
  token revoke NAME          revoke a token; API processes refuse it within 5 s
  audit verify               check the audit trail's hash chain; exit 1 naming the first broken row

The database is DATABASE_URL, or the embedded one a running \`npm start\` keeps in .vigil/.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      file: { type: "string", short: "f" },
      "no-demo": { type: "boolean" },
      timeout: { type: "string" },
      check: { type: "boolean" },
      scopes: { type: "string" },
      projects: { type: "string" },
      expires: { type: "string" },
      "env-file": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command, arg, third] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return command || values.help ? 0 : 2;
  }
  if (values["env-file"] !== undefined && command !== "start") {
    throw new UsageError("--env-file is an option of start only");
  }
  const envFile =
    command === "start"
      ? readStartEnvFile(values["env-file"], process.env)
      : undefined;
  const env = envFile ? applyEnvFile(process.env, envFile) : undefined;
  const ctx = createCliContext(
    loadCliConfig(env?.env ?? process.env),
    env?.env ?? process.env,
  );
  const needFile = () => {
    if (!values.file) {
      throw new UsageError(`${command} needs -f FILE`);
    }
    return values.file;
  };
  const needProject = () => {
    if (!arg) {
      throw new UsageError(`${command} needs a project id`);
    }
    return arg;
  };
  switch (command) {
    case "start":
      return startCommand(ctx, {
        seedDemo: !values["no-demo"],
        // the supervisor re-runs this command and reads the file itself
        environment: process.env,
        envFile: envFile && env ? { file: envFile.file, ...env } : undefined,
      });
    case "migrate":
      return migrateCommand(ctx, { check: values.check });
    case "seed-demo":
      return seedDemoCommand(ctx);
    case "validate":
      return validateCommand(ctx, needFile());
    case "apply":
      return applyCommand(ctx, needFile());
    case "trigger":
      return runCommand(ctx, {
        projectId: needProject(),
        wait: false,
        timeoutMs: 0,
      });
    case "run":
      return runCommand(ctx, {
        projectId: needProject(),
        wait: true,
        timeoutMs: Number(values.timeout ?? 300) * 1000,
      });
    case "tail":
      return tailCommand(ctx, { projectId: arg });
    case "token":
      switch (arg) {
        case "create":
          return tokenCreateCommand(ctx, {
            name: third,
            scopes: values.scopes,
            projects: values.projects,
            expires: values.expires,
          });
        case "list":
          return tokenListCommand(ctx);
        case "revoke":
          return tokenRevokeCommand(ctx, third);
        default:
          throw new UsageError(
            `token needs a subcommand: create, list or revoke (got ${JSON.stringify(arg ?? "")})`,
          );
      }
    case "audit":
      if (arg !== "verify") {
        throw new UsageError(
          `audit needs a subcommand: vigil audit verify (got ${JSON.stringify(arg ?? "")})`,
        );
      }
      return auditVerifyCommand(ctx);
    default:
      throw new UsageError(
        `unknown command ${JSON.stringify(command)} (see vigil --help)`,
      );
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const usage =
      err instanceof UsageError ||
      (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    process.stderr.write(`vigil: ${(err as Error).message}\n`);
    process.exit(usage ? 2 : 1);
  },
);
