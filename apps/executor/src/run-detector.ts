import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";

import {
  isoDurationToMs,
  ProjectConfigSchema,
  type ProjectConfig,
} from "@vigil/contracts";
import { loadRowsToFile } from "@vigil/datasources";
import {
  getLatestDataset,
  getProjectForRun,
  isRetryable,
  type ClaimedTrigger,
  type Db,
  type RuleRow,
} from "@vigil/db";
import { coerceError, type Logger } from "@vigil/logger";
import {
  RuleCodeError,
  stageDetectorInSlot,
  synthesizeDetector,
  type DetectorPackages,
  type RuleSource,
} from "@vigil/synthesizer";

import { classifyRun } from "./classify-run.js";
import { cancelReasonOf, type DetectorRunner } from "./detector-runner.js";
import {
  createDetectorSlots,
  moveRunFolder,
  type DetectorSlot,
} from "./detector-slots.js";
import { countSandboxLayers } from "./metrics.js";
import type { RunDetails, RunEvidence, RunOutcome } from "./outcome.js";
import type { SecretStore } from "./secrets.js";
import {
  applySandboxPolicy,
  DEFAULT_SANDBOX_POLICY,
  folderBytes,
  type SandboxPolicy,
} from "./sandbox-policy.js";

export interface DetectorRunnerOptions {
  db: Db;
  /** Absolute WORK_DIR: detector folders and run folders live under it. */
  workDir: string;
  packages: DetectorPackages;
  /** Resolves `*_env` names (VIGIL_SECRET_* and SECRETS_DIR only); only trusted code calls it. */
  secrets: SecretStore;
  /** DATASOURCE_ALLOW_PRIVATE_NETWORKS. */
  allowPrivateNetworks: boolean;
  /** DATASOURCE_MAX_ROW_BYTES and DATASOURCE_MAX_BYTES. @default 1 MiB and 64 MiB */
  byteLimits?: { maxRowBytes: number; maxBytes: number };
  /** Boot each slot's next detector process while the slot is idle (DETECTOR_PRESTART). @default true */
  prestart?: boolean;
  /** Disk, open-file cap and required layers of every detector process. @default DEFAULT_SANDBOX_POLICY */
  sandbox?: SandboxPolicy;
  logger: Logger;
}

/**
 * The production runner: load project + rules -> synthesize (hash-cached) -> take a slot, load
 * data into its run folder, link the detector into it -> hand the slot's detector process (a
 * standby booted ahead, or a fresh one) a fresh nonce on stdin -> verify and parse the fd-3
 * result -> move the run folder to `<project>/runs/<execution id>`. Each step is a call into a
 * package or module (STYLE 3.2).
 */
export function createDetectorRunner(
  o: DetectorRunnerOptions,
): DetectorRunner & {
  foldersInUse(): ReadonlySet<string>;
  close(): Promise<void>;
} {
  // detector folders of runs in flight, which WORK_DIR's collector must leave alone
  const inUse = new Map<string, number>();
  const hold = (folder: string) =>
    inUse.set(folder, (inUse.get(folder) ?? 0) + 1);
  const release = (folder: string) => {
    const n = (inUse.get(folder) ?? 1) - 1;
    if (n <= 0) {
      inUse.delete(folder);
    } else {
      inUse.set(folder, n);
    }
  };
  const packagesDir =
    o.packages.names.length > 0 ? o.packages.nodeModulesDir : undefined;
  const slots = createDetectorSlots({
    workDir: o.workDir,
    prestart: o.prestart ?? true,
    extraRead: packagesDir ? [packagesDir] : [],
    sandbox: o.sandbox,
    logger: o.logger,
  });
  const runOnce: DetectorRunner["run"] = async ({ claim, signal }) => {
    const loaded = await getProjectForRun(o.db, claim.projectId);
    if (!loaded) {
      return {
        kind: "rejected",
        reason: "project_missing",
        detail: `project ${claim.projectId} no longer exists`,
        details: {},
      };
    }
    const parsed = ProjectConfigSchema.safeParse(loaded.project.config);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const detail = `project ${claim.projectId} has an invalid config at ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`;
      return {
        kind: "rejected",
        reason: "invalid_config",
        detail,
        details: {},
      };
    }
    const config = parsed.data;
    const window = windowOf(claim, config);
    const details: RunDetails = { window };
    let synthesized;
    try {
      synthesized = await synthesizeDetector({
        workDir: o.workDir,
        projectId: claim.projectId,
        rules: loaded.rules.map(toRuleSource),
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
    const slot = await slots.take();
    hold(synthesized.dir);
    // the loader reports a failed read as its own error; a control-database failure under it is
    // told apart here so the run is handed back rather than failed
    let controlDbError: Error | undefined;
    try {
      await writeFile(
        path.join(slot.runDir, "context.json"),
        JSON.stringify(contextOf(claim, window)),
      );
      const rows = await loadRowsToFile({
        source: config.data_source,
        window,
        secrets: (name) => o.secrets.read(name),
        explainMissingSecret: (name) => o.secrets.explainMissing(name),
        ...o.byteLimits,
        outFile: path.join(slot.runDir, "rows.ndjson"),
        signal,
        projectId: claim.projectId,
        loadLatestDataset: async (projectId) => {
          try {
            const dataset = await getLatestDataset(o.db, projectId);
            return dataset ? { rows: dataset.rows } : null;
          } catch (raw) {
            const err = coerceError(raw);
            if (isRetryable(err)) {
              controlDbError = err;
            }
            throw err;
          }
        },
        allowPrivateNetworks: o.allowPrivateNetworks,
      });
      if (!rows.ok) {
        if (rows.code === "cancelled" || signal.aborted) {
          return { kind: "cancelled", reason: cancelReasonOf(signal), details };
        }
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
      await stageDetectorInSlot(synthesized.dir, slot.dir);
      return await dispatchDetector({
        slot,
        config,
        signal,
        details,
        policy: o.sandbox ?? DEFAULT_SANDBOX_POLICY,
      });
    } finally {
      release(synthesized.dir);
      const runDir = path.join(
        o.workDir,
        claim.projectId,
        "runs",
        String(claim.executionId),
      );
      await moveRunFolder(slot, runDir).catch((err: unknown) =>
        o.logger.warn({ err, runDir }, "could not keep the run folder"),
      );
      slots.release(slot, config.memory_mb);
    }
  };
  return {
    run: runOnce,
    foldersInUse: () => new Set([...inUse.keys(), ...slots.folders()]),
    close: () => slots.close(),
  };
}

async function dispatchDetector(a: {
  slot: DetectorSlot;
  config: ProjectConfig;
  signal: AbortSignal;
  details: RunDetails;
  policy: SandboxPolicy;
}): Promise<RunOutcome> {
  const stagedBytes = await folderBytes(a.slot.runDir);
  const detector = await a.slot.process(a.config.memory_mb);
  const nonce = randomBytes(32).toString("hex");
  const res = await detector.dispatch({
    input: `${JSON.stringify({ nonce })}\n`,
    timeoutMs: a.config.timeout_seconds * 1000,
    signal: a.signal,
  });
  const outcome = classifyRun(res, {
    nonce,
    signal: a.signal,
    memoryMb: a.config.memory_mb,
    details: a.details,
  });
  if (res.spawnError !== undefined) {
    return outcome;
  }
  const held = await applySandboxPolicy(outcome, res, {
    policy: a.policy,
    runDir: a.slot.runDir,
    stagedBytes,
  });
  if (held.details.sandbox) {
    countSandboxLayers(held.details.sandbox);
  }
  return held;
}

function toRuleSource(r: RuleRow): RuleSource {
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
  claim: ClaimedTrigger,
  config: Pick<ProjectConfig, "lookback" | "settle">,
): { start: Date; end: Date } {
  const settleMs =
    config.settle === undefined ? 0 : (isoDurationToMs(config.settle) ?? 0);
  const end = claim.windowEnd ?? new Date(claim.fireAt.getTime() - settleMs);
  const start =
    claim.windowStart ??
    new Date(end.getTime() - (isoDurationToMs(config.lookback) ?? 3_600_000));
  return { start, end };
}

function contextOf(claim: ClaimedTrigger, window: { start: Date; end: Date }) {
  return {
    projectId: claim.projectId,
    executionId: String(claim.executionId),
    triggerId: String(claim.triggerId),
    attempt: claim.attempt,
    scheduledFor: claim.fireAt.toISOString(),
    window: {
      start: window.start.toISOString(),
      end: window.end.toISOString(),
    },
  };
}
