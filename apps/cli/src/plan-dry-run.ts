import type {
  DryRunPlan,
  DryRunResponse,
  ProjectInput,
} from "@vigil/contracts";
import { getLatestDataset, type Db } from "@vigil/db";
import { dryRunProject, type ProjectRunSettings } from "@vigil/dry-run";

/** Keys shown per plan group; the count says how many there are. */
const SHOWN_PER_GROUP = 5;

const GROUPS = [
  ["would_open", "would open"],
  ["would_reopen", "would reopen"],
  ["would_resolve", "would resolve"],
  ["unchanged", "unchanged"],
] as const satisfies ReadonlyArray<readonly [keyof DryRunPlan, string]>;

/** What one project's dry run says, as lines; `failed` when it could not run or a rule failed. */
export interface PlanDryRun {
  lines: string[];
  failed: boolean;
}

/**
 * The dry run of one project as the file defines it: its config and rules, on the rows its next
 * run would read, planned against the discrepancies stored now. A manual source with no dataset
 * uploaded has nothing to run on, which is said and is not an error.
 */
export async function planDryRun(
  db: Db,
  settings: ProjectRunSettings,
  project: ProjectInput,
): Promise<PlanDryRun> {
  const head = `dry run ${project.id}`;
  if (
    project.config.data_source.type === "manual" &&
    (await getLatestDataset(db, project.id)) === undefined
  ) {
    return {
      lines: [`${head}: skipped, no dataset uploaded to run on`],
      failed: false,
    };
  }
  const result = await dryRunProject(settings, {
    db,
    projectId: project.id,
    request: {},
    definition: { config: project.config, rules: project.rules },
    now: new Date(),
    signal: new AbortController().signal,
  });
  if (result.kind !== "ran") {
    return {
      lines: [
        `${head}: ${result.kind === "invalid_input" ? result.message : "no such project"}`,
      ],
      failed: true,
    };
  }
  return describeAnswer(head, result.answer);
}

function describeAnswer(head: string, a: DryRunResponse): PlanDryRun {
  const ran = `${a.row_count ?? 0} row(s), ${a.findings.length} finding(s)`;
  if (a.outcome.kind !== "succeeded" || a.plan === null) {
    return {
      lines: [
        `${head}: ${a.outcome.kind.replace("_", " ")}: ${a.outcome.message ?? ""}`,
      ],
      failed: true,
    };
  }
  const lines = [`${head}: ${a.outcome.status}, ${ran}`];
  for (const r of a.rules.filter((r) => r.status === "error")) {
    const at =
      r.line === null ? "" : ` (line ${r.line}, column ${r.column ?? "?"})`;
    lines.push(`  rule ${r.rule_id} failed: ${r.error ?? "error"}${at}`);
  }
  for (const [group, label] of GROUPS) {
    const entries = a.plan[group];
    if (!Array.isArray(entries)) {
      continue;
    }
    const shown = entries
      .slice(0, SHOWN_PER_GROUP)
      .map(
        (e) =>
          `${e.rule_id}/${e.finding_key}${e.escalated ? " (escalated)" : ""}`,
      );
    const more = entries.length > SHOWN_PER_GROUP ? ", ..." : "";
    lines.push(
      `  ${label}: ${entries.length}${shown.length > 0 ? ` (${shown.join(", ")}${more})` : ""}`,
    );
  }
  return { lines, failed: a.rules.some((r) => r.status === "error") };
}
