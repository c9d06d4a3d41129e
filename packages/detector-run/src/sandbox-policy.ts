import { lstat, readdir, rm } from "node:fs/promises";
import path from "node:path";

import {
  attestSandbox,
  missingLayers,
  type RunResult,
  type SandboxCapabilities,
  type SandboxLayer,
} from "@vigil/runner";

import type { RunOutcome } from "./outcome.js";
import { MAX_RUNNING_RULE_BYTES, RUNNING_RULE_FILE } from "./running-rule.js";

/** The isolation every detector process of this executor gets, from its configuration. */
export interface SandboxPolicy {
  /** RLIMIT_FSIZE, the private /tmp and the run folder's size, MiB (DETECTOR_DISK_MB). */
  diskMb: number;
  maxOpenFiles: number;
  /** Layers every run must hold (SANDBOX_REQUIRE). */
  require: readonly SandboxLayer[];
}

/** DETECTOR_DISK_MB and DETECTOR_MAX_OPEN_FILES's defaults; nothing required. */
export const DEFAULT_SANDBOX_POLICY: SandboxPolicy = {
  diskMb: 256,
  maxOpenFiles: 256,
  require: [],
};

/**
 * Why this host cannot hold what SANDBOX_REQUIRE names, one sentence per missing layer; empty
 * when it can. The executor refuses to start on a non-empty answer.
 */
export function unmetRequirements(
  require: readonly SandboxLayer[],
  caps: SandboxCapabilities,
): string[] {
  const missing = missingLayers(caps);
  return require.flatMap((layer) => {
    const reason = missing[layer];
    return reason === null
      ? []
      : [`SANDBOX_REQUIRE names ${layer} but ${reason}`];
  });
}

/**
 * Adds the run's attestation to its outcome and holds it to the policy: a run that did not get a
 * required layer, or that wrote more than the disk cap into its run folder (RLIMIT_FSIZE caps one file, not
 * how many), fails whatever the detector answered.
 */
export async function applySandboxPolicy(
  outcome: RunOutcome,
  res: RunResult,
  o: {
    policy: SandboxPolicy;
    runDir: string;
    /** The run folder's size before dispatch: the executor's own context and rows. */
    stagedBytes: number;
  },
): Promise<RunOutcome> {
  const sandbox = attestSandbox(res.sandbox);
  const details = { ...outcome.details, sandbox };
  const lacking = o.policy.require.filter((layer) => !sandbox[layer]);
  if (lacking.length > 0) {
    return {
      kind: "failed",
      message: `the detector ran without the sandbox layers SANDBOX_REQUIRE names: ${lacking.join(", ")}`,
      details,
    };
  }
  // the runtime's running-rule file is its own bookkeeping, not the rules' (up to its size limit)
  const bookkeeping = Math.min(
    MAX_RUNNING_RULE_BYTES,
    (await lstat(path.join(o.runDir, RUNNING_RULE_FILE)).catch(() => null))
      ?.size ?? 0,
  );
  const bytes = (await folderBytes(o.runDir)) - o.stagedBytes - bookkeeping;
  const capBytes = o.policy.diskMb * 1024 * 1024;
  if (bytes > capBytes) {
    await removeDetectorFiles(o.runDir);
    return {
      kind: "failed",
      message: `the detector left ${Math.ceil(bytes / 1024 / 1024)} MB in its run folder, over the ${o.policy.diskMb} MB disk cap (DETECTOR_DISK_MB)`,
      details,
    };
  }
  if (
    outcome.kind === "failed" &&
    /EFBIG|File too large|ENOSPC/.test(`${res.stderr.head}\n${res.stderr.tail}`)
  ) {
    return {
      ...outcome,
      message: `${outcome.message} (the disk cap is ${o.policy.diskMb} MB per file and for /tmp, DETECTOR_DISK_MB)`,
      details,
    };
  }
  return { ...outcome, details };
}

/** What the executor staged in a run folder; the rest was written by the detector. */
const STAGED = new Set(["context.json", "rows.ndjson"]);

/** Keeps WORK_DIR within budget: the detector's files go, the run's inputs stay for a rerun by hand. */
async function removeDetectorFiles(runDir: string): Promise<void> {
  const entries = await readdir(runDir).catch(() => [] as string[]);
  await Promise.all(
    entries
      .filter((name) => !STAGED.has(name))
      .map((name) =>
        rm(path.join(runDir, name), { recursive: true, force: true }),
      ),
  );
}

/** Bytes of the files under a folder (symlinks not followed); what cannot be read counts 0. */
export async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      total += await folderBytes(full);
    } else {
      total += (await lstat(full).catch(() => ({ size: 0 }))).size;
    }
  }
  return total;
}
