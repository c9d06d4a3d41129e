#!/usr/bin/env node
import { parseArgs } from "node:util";

import { migrateCommand } from "./commands/migrate.js";
import { applyCommand, validateCommand } from "./commands/apply.js";
import { auditVerifyCommand } from "./commands/audit.js";
import { backfillCommand } from "./commands/backfill.js";
import { exportCommand } from "./commands/export.js";
import { planCommand } from "./commands/plan.js";
import { replayCommand } from "./commands/replay.js";
import { runCommand } from "./commands/run.js";
import { runLocalCommand } from "./commands/run-local.js";
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
import {
  commandHelp,
  commandsOf,
  findCommand,
  generalHelp,
  type CommandHelp,
} from "./help.js";

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      file: { type: "string", short: "f" },
      output: { type: "string", short: "o" },
      prune: { type: "boolean" },
      watch: { type: "boolean" },
      wait: { type: "boolean" },
      "no-demo": { type: "boolean" },
      "no-dry-run": { type: "boolean" },
      timeout: { type: "string" },
      local: { type: "boolean" },
      rows: { type: "string" },
      check: { type: "boolean" },
      scopes: { type: "string" },
      projects: { type: "string" },
      expires: { type: "string" },
      "env-file": { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      step: { type: "string" },
      concurrency: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command, arg, third] = positionals;
  if (command === "help") {
    return printHelp(positionals.slice(1));
  }
  if (values.help || !command) {
    return command
      ? printHelp(positionals)
      : printHelp([], values.help ? 0 : 2);
  }
  refuseForeignOptions(findCommand(positionals), values);
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
      return applyCommand(ctx, needFile(), {
        prune: values.prune === true,
        watch: values.watch === true,
      });
    case "plan":
      return planCommand(ctx, needFile(), {
        dryRun: values["no-dry-run"] !== true,
      });
    case "export":
      return exportCommand(ctx, {
        projectIds: [needProject(), ...positionals.slice(2)],
        output: values.output,
      });
    case "trigger":
      return runCommand(ctx, {
        projectId: needProject(),
        wait: false,
        timeoutMs: 0,
      });
    case "run":
      if (values.rows !== undefined && !values.local) {
        throw new UsageError("run --rows FILE needs --local");
      }
      if (values.local) {
        if (values.timeout !== undefined) {
          throw new UsageError(
            "run --local does not take --timeout (the project's timeout_seconds holds, as on an executor)",
          );
        }
        return runLocalCommand(ctx, {
          projectId: needProject(),
          rowsFile: values.rows,
          env: process.env,
        });
      }
      return runCommand(ctx, {
        projectId: needProject(),
        wait: true,
        timeoutMs: Number(values.timeout ?? 300) * 1000,
      });
    case "replay":
      return replayCommand(ctx, {
        executionId: arg,
        timeoutMs: values.wait
          ? Number(values.timeout ?? 300) * 1000
          : undefined,
      });
    case "backfill":
      return backfillCommand(ctx, {
        projectId: needProject(),
        from: values.from,
        to: values.to,
        step: values.step,
        concurrency: values.concurrency,
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

/** `vigil --help`, `vigil COMMAND --help`, `vigil help COMMAND`; an unknown command is a usage error. */
function printHelp(words: readonly string[], code = 0): number {
  if (words.length === 0) {
    process.stdout.write(`${generalHelp()}\n`);
    return code;
  }
  const command = findCommand(words);
  const group = commandsOf(words[0]!);
  if (command && (command.name.includes(" ") || group.length <= 1)) {
    process.stdout.write(`${commandHelp(command)}\n`);
    return 0;
  }
  if (group.length > 0) {
    process.stdout.write(`${group.map(commandHelp).join("\n\n")}\n`);
    return 0;
  }
  throw new UsageError(
    `unknown command ${JSON.stringify(words.join(" "))} (see vigil --help)`,
  );
}

/** An option the command does not take is refused by name rather than silently ignored. */
function refuseForeignOptions(
  command: CommandHelp | undefined,
  values: Record<string, unknown>,
): void {
  if (!command) {
    return;
  }
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && name !== "help" && !(name in command.options)) {
      throw new UsageError(
        `${command.name} does not take --${name} (see vigil ${command.name} --help)`,
      );
    }
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
