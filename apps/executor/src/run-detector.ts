import path from "node:path";

import { ProjectConfigSchema } from "@vigil/contracts";
import {
  createSourceConnections,
  type SourceConnectionsOptions,
} from "@vigil/datasources";
import type { ProjectRunSettings } from "@vigil/dry-run";
import {
  createDetectorSlots,
  DEFAULT_SANDBOX_POLICY,
  moveRunFolder,
  ruleSourceOf,
  runDetector,
  windowOf,
  type SandboxPolicy,
  type SecretStore,
} from "@vigil/detector-run";
import {
  getExecutionInput,
  getLatestDataset,
  getProjectForRun,
  getReplayOf,
  isRetryable,
  type ClaimedTrigger,
  type Db,
  type StoredExecutionInput,
} from "@vigil/db";
import { coerceError, type Logger } from "@vigil/logger";
import type { DetectorPackages } from "@vigil/synthesizer";

import type { DetectorRunner } from "./detector-runner.js";
import { countSandboxLayers } from "./metrics.js";

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
  /** DATASOURCE_POOL_SIZE and DATASOURCE_POOL_IDLE_SECONDS. @default 2 and 30 s */
  sourcePools?: SourceConnectionsOptions;
  /** Boot each slot's next detector process while the slot is idle (DETECTOR_PRESTART). @default true */
  prestart?: boolean;
  /** Disk, open-file cap and required layers of every detector process. @default DEFAULT_SANDBOX_POLICY */
  sandbox?: SandboxPolicy;
  /** Keep each run's loaded input (EXECUTION_INPUTS, EXECUTION_INPUT_MAX_BYTES); null: keep none. @default null */
  keepInput?: { maxBytes: number } | null;
  logger: Logger;
}

/** A replay's stored input, or why the run cannot have it. */
async function loadReplayInput(
  db: Db,
  claim: ClaimedTrigger,
): Promise<StoredExecutionInput | string> {
  const replayOf = await getReplayOf(db, claim.triggerId);
  if (replayOf === null) {
    return `trigger ${claim.triggerId} is a replay but names no execution`;
  }
  const input = await getExecutionInput(db, String(replayOf));
  if (input === null) {
    return `the stored input of execution ${replayOf} is gone (pruned, or its execution deleted) since this replay was requested`;
  }
  return input;
}

/**
 * The production runner: load project + rules, then the run itself (`runDetector` of
 * @vigil/detector-run, which `vigil run --local` calls too), then move the run folder to
 * `<project>/runs/<execution id>`.
 */
export function createDetectorRunner(
  o: DetectorRunnerOptions,
): DetectorRunner & {
  /** Dry runs of this executor: its folder, slots, sandbox, secrets and source connections. */
  dryRunSettings: ProjectRunSettings;
  foldersInUse(): ReadonlySet<string>;
  close(): Promise<void>;
} {
  // detector folders of runs in flight, which WORK_DIR's collector must leave alone
  const inUse = new Map<string, number>();
  const onDetectorFolder = (folder: string, held: boolean) => {
    const n = (inUse.get(folder) ?? 0) + (held ? 1 : -1);
    if (n <= 0) {
      inUse.delete(folder);
    } else {
      inUse.set(folder, n);
    }
  };
  const packagesDir =
    o.packages.names.length > 0 ? o.packages.nodeModulesDir : undefined;
  // SQL sources' connections, shared by this executor's runs and closed with the runner
  const sourceConnections = createSourceConnections(o.sourcePools);
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
    // a replay runs on the stored rows and window of the execution it replays, never the source
    const replay =
      claim.source === "replay" ? await loadReplayInput(o.db, claim) : null;
    if (typeof replay === "string") {
      return {
        kind: "rejected",
        reason: "input_missing",
        detail: replay,
        details: {},
      };
    }
    const window = replay?.window ?? windowOf(claim, config);
    // the loader reports a failed read as its own error; a control-database failure under it is
    // told apart so the run is handed back rather than failed
    let controlDbError: Error | undefined;
    const outcome = await runDetector({
      workDir: o.workDir,
      projectId: claim.projectId,
      rules: loaded.rules.map(ruleSourceOf),
      config,
      window,
      context: {
        projectId: claim.projectId,
        executionId: String(claim.executionId),
        triggerId: String(claim.triggerId),
        attempt: claim.attempt,
        scheduledFor: claim.fireAt.toISOString(),
      },
      packages: o.packages,
      slots,
      signal,
      secrets: o.secrets,
      allowPrivateNetworks: o.allowPrivateNetworks,
      ...(o.byteLimits ? { byteLimits: o.byteLimits } : {}),
      sourceConnections,
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
      controlDbError: () => controlDbError,
      ...(o.sandbox ? { sandbox: o.sandbox } : {}),
      ...(replay ? { rows: replay.rows } : {}),
      ...(o.keepInput ? { keepInput: o.keepInput } : {}),
      onDetectorFolder,
      keepRunFolder: async (slot) => {
        const runDir = path.join(
          o.workDir,
          claim.projectId,
          "runs",
          String(claim.executionId),
        );
        await moveRunFolder(slot, runDir).catch((err: unknown) =>
          o.logger.warn({ err, runDir }, "could not keep the run folder"),
        );
      },
    });
    if (outcome.details.sandbox) {
      countSandboxLayers(outcome.details.sandbox);
    }
    return outcome;
  };
  return {
    run: runOnce,
    dryRunSettings: {
      workDir: o.workDir,
      slots,
      sandbox: o.sandbox ?? DEFAULT_SANDBOX_POLICY,
      packages: o.packages,
      secrets: o.secrets,
      allowPrivateNetworks: o.allowPrivateNetworks,
      byteLimits: o.byteLimits ?? {
        maxRowBytes: 1024 ** 2,
        maxBytes: 64 * 1024 ** 2,
      },
      sourceConnections,
      onDetectorFolder,
    },
    foldersInUse: () => new Set([...inUse.keys(), ...slots.folders()]),
    close: async () => {
      await slots.close();
      await sourceConnections.close();
    },
  };
}
