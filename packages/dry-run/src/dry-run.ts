import {
  ProjectConfigSchema,
  type DryRunRequest,
  type DryRunResponse,
  type ProjectConfig,
  type RuleInput,
} from "@vigil/contracts";
import { getProjectForRun, planDiscrepancyUpdate, type Db } from "@vigil/db";
import {
  discrepancyInputOf,
  ruleSourceOf,
  toExecutionStatus,
  windowOf,
  describeOutcome,
  type RunOutcome,
} from "@vigil/detector-run";
import type { RuleSource } from "@vigil/synthesizer";

import { planOf } from "./plan.js";
import { runProjectDetector, type ProjectRunSettings } from "./run-project.js";
import { nextFireAt } from "./next-fire.js";
import { loadStoredInput } from "./stored-input.js";

/** The execution id a dry run is planned under: ids start at 1, so no execution has it. */
const DRY_RUN_EXECUTION_ID = 0;

export interface DryRunOptions {
  /** Read for the project, its rules, a manual source's dataset and the discrepancy state. */
  db: Db;
  projectId: string;
  /** Parsed with DryRunRequestSchema. */
  request: DryRunRequest;
  /**
   * The project as it would be once applied (`vigil plan`): its config and its whole rule set
   * (inactive ones left out), used instead of the stored ones, which need not exist yet. The
   * plan is still weighed against the stored discrepancies.
   */
  definition?: { config: ProjectConfig; rules: readonly RuleInput[] };
  /**
   * When the dry run is asked for: the default window is that of the project's next scheduled
   * run after it (`windowOf` its fire time), or of a run starting now without a schedule.
   */
  now: Date;
  signal: AbortSignal;
}

/** An expected answer: the run, or what in the request or project stops it. */
export type DryRunResult =
  | { kind: "ran"; answer: DryRunResponse }
  | { kind: "project_missing" }
  | { kind: "invalid_input"; path: string; message: string };

/**
 * Runs a project's detector as the executor would, with the request's rules, rows, window or
 * config, and plans its effect on the discrepancy state with the executor's own statement in a
 * transaction that is rolled back. Writes nothing: no execution, trigger, discrepancy, outbox
 * row or report.
 */
export async function dryRunProject(
  settings: ProjectRunSettings,
  o: DryRunOptions,
): Promise<DryRunResult> {
  const started = performance.now();
  const { request } = o;
  const project = o.definition
    ? {
        config: { ok: true as const, value: o.definition.config },
        rules: o.definition.rules.filter((r) => r.is_active).map(ruleSourceOf),
      }
    : await storedProject(o.db, o.projectId);
  if (project === undefined) {
    return { kind: "project_missing" };
  }
  let config: ProjectConfig;
  if (request.config !== undefined) {
    config = request.config;
  } else if (project.config.ok) {
    config = project.config.value;
  } else {
    return {
      kind: "invalid_input",
      path: "config",
      message: project.config.message,
    };
  }
  let rows: readonly unknown[] | undefined = request.rows;
  // the run it stands for is the next one its schedules make; with none, a run starting now
  const fireAt =
    request.window === undefined && request.execution_id === undefined
      ? ((await nextFireAt(o.db, o.projectId, o.now)) ?? o.now)
      : o.now;
  let window =
    request.window === undefined
      ? windowOf({ fireAt }, config)
      : {
          start: new Date(request.window.start),
          end: new Date(request.window.end),
        };
  if (request.execution_id !== undefined) {
    const stored = await loadStoredInput(o.db, {
      projectId: o.projectId,
      executionId: request.execution_id,
    });
    if (!stored.found) {
      return {
        kind: "invalid_input",
        path: "execution_id",
        message: stored.reason,
      };
    }
    rows = stored.rows;
    window = request.window === undefined ? stored.window : window;
  }
  const outcome = await runProjectDetector(settings, {
    db: o.db,
    projectId: o.projectId,
    config,
    rules: mergeRules(project.rules, request.rules),
    rows,
    window,
    scheduledFor: fireAt,
    runId: "dry-run",
    signal: o.signal,
  });
  const sample = request.rows !== undefined;
  const keyed = config.data_source.key !== undefined;
  const plan = await planFor(o.db, o.projectId, outcome, { sample, keyed });
  return {
    kind: "ran",
    answer: answerOf(outcome, {
      projectId: o.projectId,
      input:
        request.execution_id !== undefined
          ? "execution"
          : sample
            ? "rows"
            : "source",
      window,
      plan,
      durationMs: performance.now() - started,
    }),
  };
}

interface ProjectBase {
  config: { ok: true; value: ProjectConfig } | { ok: false; message: string };
  rules: RuleSource[];
}

/** The stored project's config and active rules; undefined when there is no such project. */
async function storedProject(
  db: Db,
  projectId: string,
): Promise<ProjectBase | undefined> {
  const loaded = await getProjectForRun(db, projectId);
  if (!loaded) {
    return undefined;
  }
  const rules = loaded.rules.map(ruleSourceOf);
  const parsed = ProjectConfigSchema.safeParse(loaded.project.config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      config: {
        ok: false,
        message: `the stored config of project ${projectId} is invalid at ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}; send a config`,
      },
      rules,
    };
  }
  return { config: { ok: true, value: parsed.data }, rules };
}

/** Overrides replace the rule of their rule_id or are added; an inactive one is left out. */
function mergeRules(
  base: RuleSource[],
  overrides: DryRunRequest["rules"],
): RuleSource[] {
  if (overrides === undefined) {
    return base;
  }
  const byId = new Map(base.map((r) => [r.ruleId, r]));
  for (const r of overrides) {
    if (r.is_active) {
      byId.set(r.rule_id, ruleSourceOf(r));
    } else {
      byId.delete(r.rule_id);
    }
  }
  return [...byId.values()].sort((a, b) => a.ruleId.localeCompare(b.ruleId));
}

/**
 * The plan of a run whose rules ran. A sample is weighed only against its own rows: with a row
 * key its rows' keys are the evidence (so rows not given are neither resolved nor marked), and it
 * never expires anything; without a row key nothing can be said about what it did not flag, so
 * the read keys are empty and nothing resolves.
 */
async function planFor(
  db: Db,
  projectId: string,
  outcome: RunOutcome,
  scope: { sample: boolean; keyed: boolean },
): Promise<DryRunResponse["plan"]> {
  const input = discrepancyInputOf(outcome);
  if (input === null) {
    return null;
  }
  const transitions = await planDiscrepancyUpdate(db, {
    projectId,
    executionId: DRY_RUN_EXECUTION_ID,
    ...input,
    ...(scope.sample
      ? { rowKeys: input.rowKeys ?? [], expireAfter: null }
      : {}),
  });
  return planOf(transitions, scope);
}

function answerOf(
  outcome: RunOutcome,
  about: {
    projectId: string;
    input: DryRunResponse["input"];
    window: { start: Date; end: Date };
    plan: DryRunResponse["plan"];
    durationMs: number;
  },
): DryRunResponse {
  const succeeded = outcome.kind === "succeeded" ? outcome : undefined;
  return {
    project_id: about.projectId,
    input: about.input,
    outcome: {
      kind: outcome.kind,
      status: toExecutionStatus(outcome),
      reason:
        outcome.kind === "rejected" || outcome.kind === "cancelled"
          ? outcome.reason
          : null,
      message: describeOutcome(outcome),
    },
    window: {
      start: about.window.start.toISOString(),
      end: about.window.end.toISOString(),
    },
    row_count: outcome.details.rowCount ?? null,
    detector_hash: outcome.details.detectorHash ?? null,
    duration_ms: Math.round(about.durationMs),
    rules: (succeeded?.rules ?? []).map((r) => ({
      rule_id: r.ruleId,
      status: r.status,
      duration_ms: r.durationMs,
      findings: r.findings,
      error: r.error ?? null,
      line: r.line ?? null,
      column: r.column ?? null,
    })),
    findings: (succeeded?.findings ?? []).map((f) => ({
      rule_id: f.ruleId,
      key: f.key,
      row_key: f.rowKey ?? null,
      fingerprint: f.fingerprint,
      severity: f.severity,
      message: f.message,
      ...(f.data === undefined ? {} : { data: f.data }),
    })),
    plan: about.plan,
  };
}
