import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
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
  type ClaimedTrigger,
  type Db,
  type RuleRow,
} from "@vigil/db";
import {
  DEFAULT_SANDBOX_GID,
  detectSandboxCapabilities,
  nodePermissionFlags,
  prepareSandboxDir,
  runSandboxed,
} from "@vigil/runner";
import {
  RuleCodeError,
  synthesizeDetector,
  type DetectorPackages,
  type RuleSource,
} from "@vigil/synthesizer";

import { classifyRun } from "./classify-run.js";
import { cancelReasonOf, type DetectorRunner } from "./detector-runner.js";
import type { RunDetails, RunOutcome } from "./outcome.js";

export interface DetectorRunnerOptions {
  db: Db;
  /** Absolute WORK_DIR: detector folders and run folders live under it. */
  workDir: string;
  packages: DetectorPackages;
  /** Resolves `*_env` names from the executor's own environment; only trusted code calls it. */
  readSecret: (name: string) => string | undefined;
  allowPrivateNetworks: boolean;
}

/** fd 3 is a JSON document per run; 32 MiB holds ~100k findings with room to spare. */
const MAX_RESULT_BYTES = 32 * 1024 * 1024;

/**
 * The production runner: load project + rules -> synthesize (hash-cached) -> load data into the
 * run folder -> spawn `node main.mjs <runDir>` in the sandbox with a fresh nonce on stdin ->
 * verify and parse the fd-3 result. Each step is a call into a package (STYLE 3.2).
 */
export function createDetectorRunner(
  o: DetectorRunnerOptions,
): DetectorRunner & { foldersInUse(): ReadonlySet<string> } {
  // detector and run folders of runs in flight, which WORK_DIR's collector must leave alone
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
    const runDir = path.join(
      o.workDir,
      claim.projectId,
      "runs",
      String(claim.executionId),
    );
    hold(synthesized.dir);
    hold(runDir);
    try {
      await mkdir(runDir, { recursive: true, mode: 0o755 });
      await writeFile(
        path.join(runDir, "context.json"),
        JSON.stringify(contextOf(claim, window)),
      );

      const rows = await loadRowsToFile({
        source: config.data_source,
        window,
        secrets: o.readSecret,
        outFile: path.join(runDir, "rows.ndjson"),
        signal,
        projectId: claim.projectId,
        loadLatestDataset: async (projectId) => {
          const dataset = await getLatestDataset(o.db, projectId);
          return dataset ? { rows: dataset.rows } : null;
        },
        allowPrivateNetworks: o.allowPrivateNetworks,
      });
      if (!rows.ok) {
        if (rows.code === "cancelled" || signal.aborted) {
          return { kind: "cancelled", reason: cancelReasonOf(signal), details };
        }
        return {
          kind: "failed",
          message: `loading rows failed (${rows.code}): ${rows.message}`,
          details,
        };
      }
      details.rowCount = rows.rowCount;
      return spawnDetector({
        dir: synthesized.dir,
        runDir,
        config,
        signal,
        details,
      });
    } finally {
      release(synthesized.dir);
      release(runDir);
    }
  };
  return { run: runOnce, foldersInUse: () => new Set(inUse.keys()) };
}

/**
 * Every concurrent run gets a uid of its own: with one shared uid a detector can SIGKILL every
 * other running detector (`process.kill(-1)`). The range depends on this executor's pid, so
 * executors in one pid namespace never share a uid either; executors in different containers
 * may (as they all did with a fixed uid), which is why the runner's `dedicatedUid` sweep is
 * not used.
 */
const SANDBOX_UID_BASE = 1_000_000 + (process.pid % 1_000_000) * 1_000;
const sandboxSlotsInUse = new Set<number>();

function takeSandboxSlot(): number {
  let slot = 0;
  while (sandboxSlotsInUse.has(slot)) {
    slot++;
  }
  sandboxSlotsInUse.add(slot);
  return slot;
}

async function spawnDetector(a: {
  dir: string;
  runDir: string;
  config: ProjectConfig;
  signal: AbortSignal;
  details: RunDetails;
}): Promise<RunOutcome> {
  const slot = takeSandboxSlot();
  try {
    return await spawnDetectorAs(
      { uid: SANDBOX_UID_BASE + slot, gid: DEFAULT_SANDBOX_GID },
      a,
    );
  } finally {
    sandboxSlotsInUse.delete(slot);
  }
}

async function spawnDetectorAs(
  sandbox: { uid: number; gid: number },
  a: {
    dir: string;
    runDir: string;
    config: ProjectConfig;
    signal: AbortSignal;
    details: RunDetails;
  },
): Promise<RunOutcome> {
  const caps = await detectSandboxCapabilities();
  await prepareSandboxDir(a.runDir, caps, sandbox);
  const nonce = randomBytes(32).toString("hex");
  const res = await runSandboxed({
    command: process.execPath,
    args: [
      ...nodePermissionFlags({ read: [a.dir, a.runDir], write: [a.runDir] }),
      path.join(a.dir, "main.mjs"),
      a.runDir,
    ],
    cwd: a.dir,
    // built from nothing: nothing of the control plane (DATABASE_URL, tokens, secrets) reaches rule code
    env: { NODE_ENV: "production", TZ: "UTC" },
    input: `${JSON.stringify({ nonce })}\n`,
    timeoutMs: a.config.timeout_seconds * 1000,
    memoryMb: a.config.memory_mb,
    resultChannel: { maxBytes: MAX_RESULT_BYTES },
    signal: a.signal,
    sandbox,
  });
  return classifyRun(res, {
    nonce,
    signal: a.signal,
    memoryMb: a.config.memory_mb,
    details: a.details,
  });
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

/** The data window: the trigger's own (manual runs may set it), else `lookback` before fire_at. */
export function windowOf(
  claim: ClaimedTrigger,
  config: Pick<ProjectConfig, "lookback">,
): { start: Date; end: Date } {
  const end = claim.windowEnd ?? claim.fireAt;
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
