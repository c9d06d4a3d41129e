import { readFile } from "node:fs/promises";

import {
  DatasetJsonUploadSchema,
  ProjectConfigSchema,
  type DataSource,
} from "@vigil/contracts";
import { parseCsv } from "@vigil/datasources";
import { createDb, getProjectForRun } from "@vigil/db";
import {
  describeOutcome,
  ruleSourceOf,
  windowOf,
  type RunOutcome,
} from "@vigil/detector-run";
import { runProjectDetector } from "@vigil/dry-run";

import type { CliContext } from "../context.js";
import { openLocalDetector } from "../local-detector.js";

export interface RunLocalOptions {
  projectId: string;
  /** A JSON (rows or `{ rows }`) or CSV file to run on instead of the project's source. */
  rowsFile?: string | undefined;
  env: NodeJS.ProcessEnv;
}

/**
 * `vigil run PROJECT --local [--rows FILE]`: the project's enabled rules, synthesized and run in
 * the executor's sandbox by the executor's own code (`runDetector`), here, on the rows of a run
 * started now (or on FILE). It reads the database and writes nothing to it. Exit 0 when every
 * rule ran, 1 when a rule failed or the run could not be done.
 */
export async function runLocalCommand(
  ctx: CliContext,
  o: RunLocalOptions,
): Promise<number> {
  let fileRows: unknown[] | undefined;
  if (o.rowsFile !== undefined) {
    const read = await readRowsFile(o.rowsFile);
    if (!read.ok) {
      ctx.err(read.message);
      return 1;
    }
    fileRows = read.rows;
  }
  const handle = createDb({
    connectionString: ctx.databaseUrl(),
    max: 1,
    applicationName: "vigil-cli",
  });
  try {
    const loaded = await getProjectForRun(handle.db, o.projectId);
    if (!loaded) {
      ctx.err(`no project ${JSON.stringify(o.projectId)}`);
      return 1;
    }
    const parsed = ProjectConfigSchema.safeParse(loaded.project.config);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      ctx.err(
        `project ${o.projectId} has an invalid config at ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`,
      );
      return 1;
    }
    const config = parsed.data;
    const now = new Date();
    const window = windowOf({ fireAt: now }, config);
    const local = await openLocalDetector(o.env);
    const abort = new AbortController();
    const onSignal = () => abort.abort("shutdown");
    process.once("SIGINT", onSignal);
    let outcome: RunOutcome;
    try {
      outcome = await runProjectDetector(local.settings, {
        db: handle.db,
        projectId: o.projectId,
        config,
        rules: loaded.rules.map(ruleSourceOf),
        rows: fileRows,
        window,
        scheduledFor: now,
        runId: "local",
        signal: abort.signal,
      });
    } finally {
      process.off("SIGINT", onSignal);
      await local.close();
    }
    return printOutcome(ctx, outcome, {
      rows: o.rowsFile ?? describeSource(config.data_source),
      window,
    });
  } finally {
    await handle.close();
  }
}

function printOutcome(
  ctx: CliContext,
  outcome: RunOutcome,
  about: { rows: string; window: { start: Date; end: Date } },
): number {
  ctx.out(
    `rows: ${about.rows}, window ${about.window.start.toISOString()} .. ${about.window.end.toISOString()}${outcome.details.rowCount === undefined ? "" : `, ${outcome.details.rowCount} row(s)`}`,
  );
  if (outcome.kind !== "succeeded") {
    ctx.err(
      `the run ${outcome.kind.replace("_", " ")}: ${describeOutcome(outcome) ?? ""}`,
    );
    return 1;
  }
  ctx.out("");
  ctx.out(
    table(
      ["RULE", "STATUS", "MS", "FINDINGS", "ERROR"],
      outcome.rules.map((r) => [
        r.ruleId,
        r.status,
        String(Math.round(r.durationMs)),
        r.findingsTruncated === undefined
          ? String(r.findings)
          : `${r.findings} (+${r.findingsTruncated} dropped)`,
        r.error ?? "",
      ]),
    ),
  );
  ctx.out("");
  ctx.out(
    outcome.findings.length === 0
      ? "no findings"
      : table(
          ["RULE", "SEVERITY", "KEY", "MESSAGE"],
          outcome.findings.map((f) => [f.ruleId, f.severity, f.key, f.message]),
        ),
  );
  for (const r of outcome.rules) {
    if (r.findingsTruncated !== undefined) {
      ctx.err(
        `rule ${r.ruleId} returned ${r.findings + r.findingsTruncated} findings; the first ${r.findings} (max_findings_per_rule) are kept, a run would resolve none of its discrepancies`,
      );
    }
  }
  const failed = outcome.rules.filter((r) => r.status === "error");
  for (const r of failed) {
    const at =
      r.line === undefined
        ? ""
        : ` (line ${r.line}, column ${r.column ?? "?"})`;
    ctx.err(`rule ${r.ruleId} failed: ${r.error ?? "error"}${at}`);
  }
  return failed.length === 0 ? 0 : 1;
}

/** Columns padded to their widest cell; line breaks in a cell become spaces. */
function table(header: string[], rows: string[][]): string {
  const cells = [header, ...rows].map((row) =>
    row.map((c) => c.replace(/\s*\n\s*/g, " ")),
  );
  const widths = header.map((_, i) =>
    Math.max(...cells.map((row) => row[i]?.length ?? 0)),
  );
  return cells
    .map((row) =>
      row
        .map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

function describeSource(source: DataSource): string {
  return source.type === "sql"
    ? `${source.driver} source`
    : source.type === "http"
      ? `http source ${source.url}`
      : "the latest uploaded dataset";
}

/** A rows file as `POST /projects/{id}/data` reads an upload: CSV (by its .csv name) or JSON. */
export async function readRowsFile(
  file: string,
): Promise<{ ok: true; rows: unknown[] } | { ok: false; message: string }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    return {
      ok: false,
      message: `--rows ${file}: ${(err as Error).message}`,
    };
  }
  if (file.toLowerCase().endsWith(".csv")) {
    const parsed = parseCsv(text);
    return parsed.ok
      ? { ok: true, rows: parsed.rows }
      : {
          ok: false,
          message: `--rows ${file}: invalid CSV: ${parsed.message}`,
        };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return {
      ok: false,
      message: `--rows ${file}: not JSON (${(err as Error).message}); name a CSV file *.csv`,
    };
  }
  const parsed = DatasetJsonUploadSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      message: `--rows ${file}: expected a JSON array of row objects or { "rows": [...] }${issue ? ` (${issue.path.join(".") || "(root)"}: ${issue.message})` : ""}`,
    };
  }
  return {
    ok: true,
    rows: Array.isArray(parsed.data) ? parsed.data : parsed.data.rows,
  };
}
