import { chmod, mkdir } from "node:fs/promises";
import path from "node:path";

import {
  createDetectorSlots,
  type DetectorSlots,
  type SandboxPolicy,
} from "@vigil/detector-run";
import type { Logger } from "@vigil/logger";
import type { DetectorPackages } from "@vigil/synthesizer";

export interface DetectorWorkDir {
  /** Absolute. */
  workDir: string;
  slots: DetectorSlots;
  packages: DetectorPackages;
  /** Kills the standbys and removes the slot folders; the synthesized detectors stay. */
  close(): Promise<void>;
}

/**
 * A folder of detector slots for runs outside the executor, laid out as the executor lays out
 * WORK_DIR: DETECTOR_PACKAGES are looked up in `<workDir>/node_modules`. The sandbox uids must be
 * able to reach the folder, so it is made traversable by all.
 */
export async function openDetectorWorkDir(o: {
  workDir: string;
  /** Boot each slot's next detector while it is idle (DETECTOR_PRESTART). */
  prestart: boolean;
  sandbox: SandboxPolicy;
  packageNames: readonly string[];
  logger: Logger;
}): Promise<DetectorWorkDir> {
  const workDir = path.resolve(o.workDir);
  await mkdir(workDir, { recursive: true, mode: 0o755 });
  await chmod(workDir, 0o755);
  const packages: DetectorPackages =
    o.packageNames.length > 0
      ? {
          names: o.packageNames,
          nodeModulesDir: path.join(workDir, "node_modules"),
        }
      : { names: [] };
  const slots = createDetectorSlots({
    workDir,
    prestart: o.prestart,
    extraRead: packages.nodeModulesDir ? [packages.nodeModulesDir] : [],
    sandbox: o.sandbox,
    logger: o.logger,
  });
  return { workDir, slots, packages, close: () => slots.close() };
}
