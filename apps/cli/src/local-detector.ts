import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { datasourceEnv, defineEnv, executorEnv, parseEnv } from "@vigil/config";
import {
  createSecretStore,
  type SandboxLayer,
  type SandboxPolicy,
} from "@vigil/detector-run";
import { openDetectorWorkDir, type ProjectRunSettings } from "@vigil/dry-run";
import { createLogger } from "@vigil/logger";

/** The executor's settings a run in the CLI honours, read the way the executor reads them. */
const LocalRunEnv = defineEnv(datasourceEnv, {
  DETECTOR_DISK_MB: executorEnv.DETECTOR_DISK_MB,
  DETECTOR_MAX_OPEN_FILES: executorEnv.DETECTOR_MAX_OPEN_FILES,
  SANDBOX_REQUIRE: executorEnv.SANDBOX_REQUIRE,
});

export interface LocalDetector {
  settings: ProjectRunSettings;
  /** Stops the detector processes and removes the folder. */
  close(): Promise<void>;
}

/**
 * Detector runs in this process (`vigil run --local`, `vigil plan`) in the executor's sandbox,
 * in a folder of their own under the OS temp dir, so nothing an executor on this host keeps is
 * touched. Exits with code 2 naming a bad variable, as the apps do.
 */
export async function openLocalDetector(
  env: NodeJS.ProcessEnv,
): Promise<LocalDetector> {
  const s = parseEnv(LocalRunEnv, env);
  const workDir = await mkdtemp(path.join(os.tmpdir(), "vigil-cli-run-"));
  const sandbox: SandboxPolicy = {
    diskMb: s.DETECTOR_DISK_MB,
    maxOpenFiles: s.DETECTOR_MAX_OPEN_FILES,
    require: s.SANDBOX_REQUIRE as SandboxLayer[],
  };
  const dir = await openDetectorWorkDir({
    workDir,
    prestart: false,
    sandbox,
    packageNames: [],
    logger: createLogger({ level: "warn", name: "vigil-cli" }),
  });
  return {
    settings: {
      workDir: dir.workDir,
      slots: dir.slots,
      sandbox,
      packages: dir.packages,
      secrets: createSecretStore({ env, secretsDir: s.SECRETS_DIR }),
      allowPrivateNetworks: s.DATASOURCE_ALLOW_PRIVATE_NETWORKS,
      byteLimits: {
        maxRowBytes: s.DATASOURCE_MAX_ROW_BYTES,
        maxBytes: s.DATASOURCE_MAX_BYTES,
      },
    },
    async close() {
      await dir.close();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
