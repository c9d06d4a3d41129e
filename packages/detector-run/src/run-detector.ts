import { randomBytes } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";

import {
  isoDurationToMs,
  type DataSource,
  type ProjectConfig,
} from "@vigil/contracts";
import {
  loadRowsToFile,
  type LoadLatestDataset,
  type LoadRowsResult,
  type SourceConnections,
} from "@vigil/datasources";
import type { RuleRow } from "@vigil/db";
import type { RunResult } from "@vigil/runner";
import {
  ROWS_FILE,
  ROWS_LOADING_FILE,
  RuleCodeError,
  stageDetectorInSlot,
  synthesizeDetector,
  type DetectorPackages,
  type RuleSource,
} from "@vigil/synthesizer";

import { captureInput } from "./capture-input.js";
import { classifyRun } from "./classify-run.js";
import { readRunningRule } from "./running-rule.js";
import type { DetectorSlot, DetectorSlots } from "./detector-slots.js";
import {
  cancelReasonOf,
  type RunDetails,
  type RunEvidence,
  type RunOutcome,
} from "./outcome.js";
import {
  applySandboxPolicy,
  DEFAULT_SANDBOX_POLICY,
  folderBytes,
  type SandboxPolicy,
} from "./sandbox-policy.js";
import type { SecretStore } from "./secrets.js";

/** What the detector's `ctx` is built from (the run folder's context.json). */
export interface DetectorRunContext {
  projectId: string;
  executionId: string;
  triggerId: string;
  attempt: number;
  /** ISO instant the run was scheduled for. */
  scheduledFor: string;
}

export interface RunDetectorOptions {
  /** Absolute WORK_DIR: the synthesized detector folders live under it. */
  workDir: string;
  projectId: string;
  rules: readonly RuleSource[];
  config: ProjectConfig;
  /** Where the rows come from. @default config.data_source */
  source?: DataSource;
  window: { start: Date; end: Date };
  context: DetectorRunContext;
  packages: DetectorPackages;
  slots: DetectorSlots;
  /** Aborting cancels the load or the detector process. */
  signal: AbortSignal;
  /** Resolves `*_env` names (VIGIL_SECRET_* and SECRETS_DIR only); only trusted code calls it. */
  secrets: SecretStore;
  /** DATASOURCE_ALLOW_PRIVATE_NETWORKS. */
  allowPrivateNetworks: boolean;
  /** DATASOURCE_MAX_ROW_BYTES and DATASOURCE_MAX_BYTES. @default 1 MiB and 64 MiB */
  byteLimits?: { maxRowBytes: number; maxBytes: number };
  /** A manual source's rows. */
  loadLatestDataset: LoadLatestDataset;
  /** The process's pooled SQL source connections. Unset: each load connects on its own. */
  sourceConnections?: SourceConnections;
  /**
   * A control-database failure seen under the load, if any: such a run is handed back
   * (`cancelled`, `database_error`) rather than failed.
   */
  controlDbError?: () => Error | undefined;
  /** @default DEFAULT_SANDBOX_POLICY */
  sandbox?: SandboxPolicy;
  /** Told when a synthesized detector folder is in use and when it no longer is. */
  onDetectorFolder?: (dir: string, inUse: boolean) => void;
  /**
   * Moves the run folder out of its slot once the run ended, to keep it; unset, it goes with the
   * slot's reset. Must not throw.
   */
  keepRunFolder?: (slot: DetectorSlot) => Promise<void>;
  /**
   * Rows to run on instead of reading the source (a replay's stored input); they go through the
   * same writer, limits and row keys as loaded ones.
   */
  rows?: readonly unknown[];
  /**
   * Keep the loaded input: rows.ndjson is gzipped into `details.input` once loaded, before the
   * detector can touch the run folder. `maxBytes`: EXECUTION_INPUT_MAX_BYTES (compressed).
   */
  keepInput?: { maxBytes: number };
}

/**
 * One detector run, the same for the executor and `vigil run --local`: synthesize (hash-cached)
 * -> take a slot, load the rows into its run folder, link the detector into it -> hand the
 * slot's detector process a fresh nonce on stdin -> verify and parse the fd-3 result -> hold it
 * to the sandbox policy. Expected failures are outcomes, never exceptions.
 */
export async function runDetector(o: RunDetectorOptions): Promise<RunOutcome> {
  const { config, window, signal } = o;
  const details: RunDetails = { window };
  let synthesized;
  try {
    synthesized = await synthesizeDetector({
      workDir: o.workDir,
      projectId: o.projectId,
      rules: [...o.rules],
      dataSourceType: config.data_source.type,
      packages: o.packages,
    });
  } catch (raw) {
    if (raw instanceof RuleCodeError) {
      const missing = raw.errors.some((e) =>
        /import|package|module/i.test(e.message),
      );
      return {
        kind: "rejected",
        reason: missing ? "missing_dependency" : "invalid_rules",
        detail: raw.message,
        details,
      };
    }
    throw raw;
  }
  details.detectorHash = synthesized.hash;
  const slot = await o.slots.take();
  o.onDetectorFolder?.(synthesized.dir, true);
  let unlisten = () => {};
  try {
    await writeFile(
      path.join(slot.runDir, "context.json"),
      JSON.stringify({
        ...o.context,
        maxFindingsPerRule: config.max_findings_per_rule,
        window: {
          start: window.start.toISOString(),
          end: window.end.toISOString(),
        },
      }),
    );
    // The detector starts now and follows rows.ndjson while the load writes it (the runtime's
    // read-rows.mjs); rows.loading tells it more is coming. Its timeout counts from the end of
    // the load, and a load that fails stops it.
    await writeFile(path.join(slot.runDir, ROWS_LOADING_FILE), "");
    await stageDetectorInSlot(synthesized.dir, slot.dir);
    const stagedBefore = await folderBytes(slot.runDir);
    const policy = o.sandbox ?? DEFAULT_SANDBOX_POLICY;
    const detectorAbort = new AbortController();
    const stopDetector = () => detectorAbort.abort(signal.reason);
    // a shutdown or a lost lease stops the detector until it has exited, not only during the load
    signal.addEventListener("abort", stopDetector, { once: true });
    unlisten = () => signal.removeEventListener("abort", stopDetector);
    let loadEnded!: () => void;
    const loaded = new Promise<void>((resolve) => (loadEnded = resolve));
    const running = startDetector({
      slot,
      memoryMb: config.memory_mb,
      timeoutMs: config.timeout_seconds * 1000,
      timeoutFrom: loaded,
      signal: detectorAbort.signal,
    });
    // awaited below; until then a failure to start must not be an unhandled rejection
    running.catch(() => undefined);
    let rows: LoadRowsResult;
    try {
      rows = await loadRowsToFile({
        source: o.source ?? config.data_source,
        window,
        secrets: (name) => o.secrets.read(name),
        explainMissingSecret: (name) => o.secrets.explainMissing(name),
        ...o.byteLimits,
        outFile: path.join(slot.runDir, ROWS_FILE),
        signal,
        projectId: o.projectId,
        loadLatestDataset: o.loadLatestDataset,
        allowPrivateNetworks: o.allowPrivateNetworks,
        ...(o.sourceConnections && { connections: o.sourceConnections }),
        ...(o.rows ? { rows: o.rows } : {}),
      });
      if (rows.ok) {
        await rm(path.join(slot.runDir, ROWS_LOADING_FILE));
      }
    } catch (error) {
      detectorAbort.abort("the load failed");
      await running.catch(() => undefined);
      throw error;
    } finally {
      loadEnded();
    }
    if (!rows.ok) {
      detectorAbort.abort("the load failed");
      await running.catch(() => undefined);
      // a kept run folder of a failed load holds no rows and no sign of rows to come
      await rm(path.join(slot.runDir, ROWS_LOADING_FILE), { force: true });
      if (rows.code === "cancelled" || signal.aborted) {
        return { kind: "cancelled", reason: cancelReasonOf(signal), details };
      }
      const controlDbError = o.controlDbError?.();
      if (controlDbError !== undefined) {
        return {
          kind: "cancelled",
          reason: "database_error",
          message: controlDbError.message,
          details,
        };
      }
      return {
        kind: "failed",
        message: `loading rows failed (${rows.code}): ${rows.message}`,
        details,
      };
    }
    details.rowCount = rows.rowCount;
    details.evidence = evidenceOf(config, rows.rowKeys);
    // the load has ended, so rows.ndjson is whole; the detector may still be reading it
    if (o.keepInput) {
      details.input = await captureInput({
        rowsFile: path.join(slot.runDir, ROWS_FILE),
        rowCount: rows.rowCount,
        window,
        parameters: Object.fromEntries(
          o.rules.map((r) => [r.ruleId, r.parameters]),
        ),
        maxBytes: o.keepInput.maxBytes,
      });
    }
    const res = await running;
    const loadedRows = rows.rowCount;
    return await finishDetector({
      res,
      slot,
      rules: o.rules,
      config,
      signal,
      details,
      policy,
      stagedBytes: stagedBefore + rows.bytes,
      loadedRows,
    });
  } finally {
    unlisten();
    o.onDetectorFolder?.(synthesized.dir, false);
    await o.keepRunFolder?.(slot);
    o.slots.release(slot, config.memory_mb);
  }
}

interface StartedDetector {
  res: RunResult;
  nonce: string;
}

/** Hands the slot's detector process a fresh nonce; resolves when it has exited. */
async function startDetector(a: {
  slot: DetectorSlot;
  memoryMb: number;
  timeoutMs: number;
  timeoutFrom: Promise<void>;
  signal: AbortSignal;
}): Promise<StartedDetector> {
  const detector = await a.slot.process(a.memoryMb);
  const nonce = randomBytes(32).toString("hex");
  const res = await detector.dispatch({
    input: `${JSON.stringify({ nonce })}\n`,
    timeoutMs: a.timeoutMs,
    timeoutFrom: a.timeoutFrom,
    signal: a.signal,
  });
  return { res, nonce };
}

async function finishDetector(a: {
  res: StartedDetector;
  slot: DetectorSlot;
  rules: readonly RuleSource[];
  config: ProjectConfig;
  signal: AbortSignal;
  details: RunDetails;
  policy: SandboxPolicy;
  stagedBytes: number;
  loadedRows: number;
}): Promise<RunOutcome> {
  const { res, nonce } = a.res;
  const runningRule = res.timedOut
    ? await readRunningRule(a.slot.runDir, a.rules)
    : undefined;
  const outcome = classifyRun(res, {
    nonce,
    signal: a.signal,
    memoryMb: a.config.memory_mb,
    details: a.details,
    ...(runningRule === undefined ? {} : { runningRule }),
  });
  if (res.spawnError !== undefined) {
    return outcome;
  }
  // Rule code can remove rows.loading early and so end the runtime's read before the last row:
  // a result over fewer rows than were loaded is not a result about this data.
  if (
    outcome.kind === "succeeded" &&
    outcome.details.rowCount !== a.loadedRows
  ) {
    return {
      kind: "failed",
      message: `the detector read ${outcome.details.rowCount ?? 0} of the ${a.loadedRows} rows loaded (was ${ROWS_LOADING_FILE} removed from the run folder?)`,
      details: { ...outcome.details, rowCount: a.loadedRows },
    };
  }
  return applySandboxPolicy(outcome, res, {
    policy: a.policy,
    runDir: a.slot.runDir,
    stagedBytes: a.stagedBytes,
  });
}

function evidenceOf(
  config: Pick<ProjectConfig, "discrepancies">,
  rowKeys: string[] | null,
): RunEvidence {
  const iso = config.discrepancies?.expire_after;
  const ms = iso === undefined ? undefined : isoDurationToMs(iso);
  return {
    rowKeys,
    expireAfter:
      iso === undefined || ms === undefined
        ? null
        : { iso, seconds: ms / 1000 },
  };
}

/**
 * The data window: the trigger's own (manual runs may set it), else `lookback` ending `settle`
 * (default 0) before fire_at.
 */
export function windowOf(
  trigger: {
    fireAt: Date;
    windowStart?: Date | null;
    windowEnd?: Date | null;
  },
  config: Pick<ProjectConfig, "lookback" | "settle">,
): { start: Date; end: Date } {
  const settleMs =
    config.settle === undefined ? 0 : (isoDurationToMs(config.settle) ?? 0);
  const end =
    trigger.windowEnd ?? new Date(trigger.fireAt.getTime() - settleMs);
  const start =
    trigger.windowStart ??
    new Date(end.getTime() - (isoDurationToMs(config.lookback) ?? 3_600_000));
  return { start, end };
}

/** A rule, stored (`RuleRow`) or as an API body gives it (`RuleInput`), as the synthesizer takes it. */
export function ruleSourceOf(
  r: Pick<
    RuleRow,
    | "rule_id"
    | "definition_id"
    | "code"
    | "severity"
    | "category"
    | "description"
  > & { parameters: Record<string, unknown> },
): RuleSource {
  return {
    ruleId: r.rule_id,
    definitionId: r.definition_id,
    code: r.code,
    parameters: r.parameters,
    severity: r.severity,
    category: r.category,
    description: r.description,
  };
}
