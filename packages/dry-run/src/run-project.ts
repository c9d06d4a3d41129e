import type { DataSource, ProjectConfig } from "@vigil/contracts";
import { getLatestDataset, type Db } from "@vigil/db";
import type { SourceConnections } from "@vigil/datasources";
import {
  runDetector,
  type DetectorSlots,
  type RunOutcome,
  type SandboxPolicy,
  type SecretStore,
} from "@vigil/detector-run";
import type { DetectorPackages, RuleSource } from "@vigil/synthesizer";

/** What a detector run outside the executor holds to: the executor's own sandbox and limits. */
export interface ProjectRunSettings {
  /** Absolute folder the synthesized detectors and the slots live under. */
  workDir: string;
  slots: DetectorSlots;
  /** DETECTOR_DISK_MB, DETECTOR_MAX_OPEN_FILES and SANDBOX_REQUIRE. */
  sandbox: SandboxPolicy;
  /** DETECTOR_PACKAGES: the packages rule code may import besides the allowed built-ins. */
  packages: DetectorPackages;
  /** Resolves a data source's `*_env` names (VIGIL_SECRET_* and SECRETS_DIR). */
  secrets: SecretStore;
  /** DATASOURCE_ALLOW_PRIVATE_NETWORKS. */
  allowPrivateNetworks: boolean;
  /** DATASOURCE_MAX_ROW_BYTES and DATASOURCE_MAX_BYTES. */
  byteLimits: { maxRowBytes: number; maxBytes: number };
  /** The executor's pooled SQL source connections. Unset: each load connects on its own. */
  sourceConnections?: SourceConnections;
  /** Told when a synthesized detector folder is in use, so a collector leaves it alone. */
  onDetectorFolder?: (dir: string, inUse: boolean) => void;
}

export interface RunProjectOptions {
  /** Where a `manual` source's latest dataset is read from. */
  db: Db;
  projectId: string;
  config: ProjectConfig;
  rules: readonly RuleSource[];
  /** Rows to run on instead of the project's source; the source's `key` still names their keys. */
  rows?: readonly unknown[] | undefined;
  window: { start: Date; end: Date };
  /** The instant the run stands for (`ctx.scheduledFor`). */
  scheduledFor: Date;
  /** Names the run in the detector's `ctx` (executionId, triggerId): no execution exists. */
  runId: string;
  signal: AbortSignal;
}

/**
 * One run of a project's detector that no trigger asked for (`vigil run --local`, dry runs):
 * `runDetector` of @vigil/detector-run, as the executor calls it, with the executor's sandbox,
 * limits, timeout and import policy; given rows stand in for the source as a `manual` source.
 */
export function runProjectDetector(
  s: ProjectRunSettings,
  o: RunProjectOptions,
): Promise<RunOutcome> {
  const rows = o.rows;
  const key = o.config.data_source.key;
  const source: DataSource | undefined =
    rows === undefined
      ? undefined
      : { type: "manual", ...(key === undefined ? {} : { key }) };
  return runDetector({
    workDir: s.workDir,
    projectId: o.projectId,
    rules: o.rules,
    config: o.config,
    ...(source ? { source } : {}),
    window: o.window,
    context: {
      projectId: o.projectId,
      executionId: o.runId,
      triggerId: o.runId,
      attempt: 1,
      scheduledFor: o.scheduledFor.toISOString(),
    },
    packages: s.packages,
    slots: s.slots,
    signal: o.signal,
    secrets: s.secrets,
    allowPrivateNetworks: s.allowPrivateNetworks,
    byteLimits: s.byteLimits,
    loadLatestDataset: async (projectId) => {
      if (rows !== undefined) {
        return { rows: [...rows] };
      }
      const dataset = await getLatestDataset(o.db, projectId);
      return dataset ? { rows: dataset.rows } : null;
    },
    sandbox: s.sandbox,
    ...(s.sourceConnections && { sourceConnections: s.sourceConnections }),
    ...(s.onDetectorFolder && { onDetectorFolder: s.onDetectorFolder }),
  });
}
