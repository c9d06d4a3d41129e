/**
 * Every command's usage, summary and options, in one table: `vigil --help` lists them all,
 * `vigil COMMAND --help` (or `vigil help COMMAND`) prints one, and `main.ts` refuses an option
 * that its command does not take, naming it, instead of ignoring it.
 */
export interface CommandHelp {
  /** What follows `vigil`, subcommand included: "token create". */
  name: string;
  usage: string;
  summary: string;
  /** The options it takes, by their long name (without `--`), with what each does. */
  options: Record<string, string>;
  /** Further lines for the command's own help. */
  details?: string;
}

export const COMMANDS: readonly CommandHelp[] = [
  {
    name: "start",
    usage: "start [--no-demo] [--env-file PATH]",
    summary:
      "PostgreSQL (embedded unless DATABASE_URL is set), migrations, the demo project, and the four apps as separate processes (what npm start runs)",
    options: {
      "no-demo": "do not create the demo data and the demo-orders project",
      "env-file":
        "read environment variables from PATH (default: .vigil/env if present); the environment wins",
    },
    details:
      "Stops every app on Ctrl-C. The API listens on PORT (default 8080); the start-up lines say\nwhich settings it turned on for local work.",
  },
  {
    name: "migrate",
    usage: "migrate [--check]",
    summary: "apply pending migrations (idempotent)",
    options: { check: "apply nothing; exit 1 while any migration is pending" },
  },
  {
    name: "seed-demo",
    usage: "seed-demo",
    summary: "create the demo data and the demo-orders project",
    options: {},
  },
  {
    name: "validate",
    usage: "validate -f FILE|DIR",
    summary: "check projects in a YAML/JSON file, touching nothing",
    options: { file: "the project file (-f)" },
    details:
      "Exit 0 when every project is valid (it prints their ids), 1 with each problem found.",
  },
  {
    name: "apply",
    usage: "apply -f FILE|DIR [--prune] [--watch]",
    summary:
      "validate, then create or update the file's projects in one transaction",
    options: {
      file: "the project file, or a folder of .yaml/.yml/.json files (-f)",
      prune: "also delete the projects the database has and the file does not",
      watch:
        "apply again whenever the file changes, until Ctrl-C; a bad file is refused and the last applied state stays",
    },
    details: "Nothing is written unless every project in the file is valid.",
  },
  {
    name: "plan",
    usage: "plan -f FILE|DIR [--no-dry-run]",
    summary:
      "what apply -f FILE would change in the database, and what each changed project's rules would find, changing nothing",
    options: {
      file: "the project file (-f)",
      "no-dry-run":
        "only the config diff: run no detector (for a machine without the sources' credentials)",
    },
    details:
      "Lists projects created, settings and config paths changed, schedules added or removed and\nrules added, removed or changed; then the dry run of each changed project as the file defines\nit, on the rows its next run would read here (VIGIL_SECRET_* and SECRETS_DIR as the executor\nreads them): findings it would open, reopen, resolve or leave unchanged. Exit 0: no change,\n2: changes, 1: errors, a dry run that failed included (so it gates a pull request).",
  },
  {
    name: "export",
    usage: "export PROJECT... [-o FILE]",
    summary:
      "write projects as the YAML that apply takes (one --- document each)",
    options: { output: "write to FILE instead of stdout (-o)" },
    details:
      "Applying the export changes nothing, and exporting again gives the same text.",
  },
  {
    name: "trigger",
    usage: "trigger PROJECT",
    summary: "queue a run of PROJECT now",
    options: {},
  },
  {
    name: "run",
    usage: "run PROJECT [--timeout S] | run PROJECT --local [--rows FILE]",
    summary:
      "queue a run and wait for its outcome, or (--local) run the detector here",
    options: {
      timeout: "seconds to wait for the run to finish (default 300)",
      local:
        "run the project's rules here, in the executor's sandbox, without executors; writes nothing to the database",
      rows: "with --local: run on FILE (JSON rows or { rows }, or CSV *.csv with a header) instead of the project's source",
    },
    details:
      "Exit 0 on success, 1 when the run failed, was partial (a rule failed) or did not finish in time.\n--local prints each rule's status and time and a findings table (rule, severity, key, message);\nwithout --rows it reads the project's source for the window of a run started now, with secrets\nfrom VIGIL_SECRET_* variables and SECRETS_DIR as the executor resolves them.",
  },
  {
    name: "replay",
    usage: "replay EXECUTION_ID [--wait] [--timeout S]",
    summary:
      "run a past execution again on its stored input (rows and window) with the project's current rules",
    options: {
      wait: "wait for the replay to finish and print its outcome",
      timeout: "with --wait: seconds to wait (default 300)",
    },
    details:
      "Any executor runs it (source replay), never reading the live source. The input is kept while\nEXECUTION_INPUTS is on, up to EXECUTION_INPUT_MAX_BYTES compressed, for EXECUTION_INPUT_RETENTION_DAYS;\nexit 1 naming the reason when it was not kept or was pruned. With --wait, exit as vigil run does.",
  },
  {
    name: "backfill",
    usage:
      "backfill PROJECT --from ISO --to ISO --step DURATION [--concurrency N]",
    summary:
      "run PROJECT once for each window of a past range, a few at a time, and show the progress",
    options: {
      from: "start of the range, an ISO 8601 instant (inclusive)",
      to: "end of the range, an ISO 8601 instant (exclusive)",
      step: "length of each window, an ISO 8601 duration: PT1H, P1D (at most 10000 windows)",
      concurrency:
        "at most N of its runs pending or running at a time (default 1)",
    },
    details:
      "The trigger-creator makes one run per window (source backfill) and executors run them, within the\nproject's own concurrency limits. A window an earlier backfill of the project already has is not\nrun again. Exit 0 when every window it ran succeeded, 1 when any failed or it was cancelled.\nCtrl-C stops watching only: the backfill keeps running (cancel: POST /backfills/ID/cancel).",
  },
  {
    name: "tail",
    usage: "tail [PROJECT]",
    summary: "follow executions as they finish",
    options: {},
    details:
      "Prints the last 10 finished executions, then each one once as it finishes, until Ctrl-C.",
  },
  {
    name: "token create",
    usage:
      "token create NAME --scopes read,write [--projects a,b] [--expires ISO]",
    summary:
      "make an API token (scopes: read, write, triage, admin); prints its secret once, on stdout",
    options: {
      scopes: "comma list of read, write, triage, admin",
      projects: "comma list of project ids the token may act on (default: all)",
      expires: "ISO 8601 instant after which the token is refused",
    },
  },
  {
    name: "token list",
    usage: "token list",
    summary:
      "every token: status, scopes, projects, expiry, last use (no secrets)",
    options: {},
  },
  {
    name: "token revoke",
    usage: "token revoke NAME",
    summary: "revoke a token; API processes refuse it within 5 s",
    options: {},
  },
  {
    name: "audit verify",
    usage: "audit verify",
    summary:
      "check the audit trail's hash chain; exit 1 naming the first broken row",
    options: {},
  },
];

const FOOTER =
  "The database is DATABASE_URL, or the embedded one a running `npm start` keeps in .vigil/.";

/** The command a command line names: "token create" for `token create x`, else its first word. */
export function findCommand(
  positionals: readonly string[],
): CommandHelp | undefined {
  const [first, second] = positionals;
  return (
    COMMANDS.find((c) => c.name === `${first} ${second}`) ??
    COMMANDS.find((c) => c.name === first)
  );
}

/** The commands whose name starts with `word`: a group's subcommands ("token"). */
export function commandsOf(word: string): CommandHelp[] {
  return COMMANDS.filter((c) => c.name.split(" ")[0] === word);
}

const wrap = (text: string, width: number, indent: string): string => {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  lines.push(line);
  return lines.join(`\n${indent}`);
};

export function generalHelp(): string {
  const column = 29;
  const pad = " ".repeat(column);
  const entries = COMMANDS.map((c) => {
    const summary = wrap(c.summary, 70, pad);
    return c.usage.length + 2 < column
      ? `  ${c.usage.padEnd(column - 2)}${summary}`
      : `  ${c.usage}\n${pad}${summary}`;
  });
  return [
    "vigil: discrepancy detectors on cron schedules",
    "",
    "usage: vigil <command> [options]   (vigil <command> --help for one command)",
    "",
    ...entries,
    "",
    FOOTER,
  ].join("\n");
}

export function commandHelp(c: CommandHelp): string {
  const options = Object.entries(c.options).map(([name, text]) => {
    const flag = name === "file" ? "-f, --file" : `--${name}`;
    return `  ${flag.padEnd(14)}${wrap(text, 70, " ".repeat(16))}`;
  });
  return [
    `usage: vigil ${c.usage}`,
    "",
    wrap(c.summary, 90, ""),
    ...(c.details ? ["", c.details] : []),
    ...(options.length > 0 ? ["", "options:", ...options] : []),
    "",
    FOOTER,
  ].join("\n");
}
