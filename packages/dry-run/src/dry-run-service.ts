import type { SandboxPolicy, SecretStore } from "@vigil/detector-run";
import type { Logger } from "@vigil/logger";

import {
  openDetectorWorkDir,
  type DetectorWorkDir,
} from "./detector-work-dir.js";
import {
  dryRunProject,
  type DryRunOptions,
  type DryRunResult,
} from "./dry-run.js";

export interface DryRunServiceOptions {
  /** DRY_RUN_WORK_DIR: never an executor's WORK_DIR, whose collector would not know these runs. */
  workDir: string;
  /** DETECTOR_PRESTART. */
  prestart: boolean;
  sandbox: SandboxPolicy;
  /** DETECTOR_PACKAGES, installed in `<workDir>/node_modules`. */
  packageNames: readonly string[];
  secrets: SecretStore;
  allowPrivateNetworks: boolean;
  byteLimits: { maxRowBytes: number; maxBytes: number };
  logger: Logger;
}

export interface DryRunService {
  run(o: DryRunOptions): Promise<DryRunResult>;
  close(): Promise<void>;
}

/**
 * Dry runs for a long-lived process (the API): one detector folder and set of slots for its
 * life, opened at the first run, so a process that never dry-runs makes no folder.
 */
export function createDryRunService(o: DryRunServiceOptions): DryRunService {
  let opened: Promise<DetectorWorkDir> | undefined;
  const open = () =>
    (opened ??= openDetectorWorkDir({
      workDir: o.workDir,
      prestart: o.prestart,
      sandbox: o.sandbox,
      packageNames: o.packageNames,
      logger: o.logger.child({ component: "dry-run" }),
    }).catch((err: unknown) => {
      opened = undefined;
      throw err;
    }));
  return {
    async run(run) {
      const dir = await open();
      return dryRunProject(
        {
          workDir: dir.workDir,
          slots: dir.slots,
          sandbox: o.sandbox,
          packages: dir.packages,
          secrets: o.secrets,
          allowPrivateNetworks: o.allowPrivateNetworks,
          byteLimits: o.byteLimits,
        },
        run,
      );
    },
    async close() {
      const dir = await opened?.catch(() => undefined);
      await dir?.close();
    },
  };
}
