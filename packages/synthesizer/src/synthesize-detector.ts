import { mkdir, mkdtemp, rename, rm, utimes } from "node:fs/promises";
import { join } from "node:path";
import { assertRulesLoadable } from "./check-rule-code.js";
import { computeDetectorHash, sortRules } from "./detector-hash.js";
import { exists } from "./exists.js";
import { removeFolder, TEMP_PREFIX } from "./remove-folder.js";
import { renderDetector } from "./render-detector.js";
import { readTemplateSet } from "./template-files.js";
import type { DetectorPackages, RuleSource } from "./types.js";

export interface SynthesizeOptions {
  /** Root of all detector and run folders (the executor's WORK_DIR). */
  workDir: string;
  /** Used as a folder name: letters, digits, `.`, `_`, `-` (a UUID fits). */
  projectId: string;
  rules: readonly RuleSource[];
  /** `sql`, `http`, `manual`, ...: a lowercase word. */
  dataSourceType: string;
  /** Packages rule code may import besides the built-in allow-list. @default none */
  packages?: DetectorPackages;
}

export interface SynthesizedDetector {
  /** `WORK_DIR/<projectId>/<hash>`: run `node main.mjs <run folder>` with this as cwd. */
  dir: string;
  hash: string;
  /** True when the folder already existed and nothing was rendered. */
  cached: boolean;
}

const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function checkNames(projectId: string, dataSourceType: string): void {
  if (!SAFE_SEGMENT.test(projectId) || projectId.includes("..")) {
    throw new Error(
      `project id ${JSON.stringify(projectId)} cannot be a folder name (letters, digits, ".", "_", "-")`,
    );
  }
  if (!/^[a-z][a-z0-9_-]{0,31}$/.test(dataSourceType)) {
    throw new Error(
      `data source type ${JSON.stringify(dataSourceType)} is not a lowercase word`,
    );
  }
}

/** Marks a reused folder as recently used, so garbage collection by age keeps it. */
async function touch(dir: string): Promise<void> {
  const now = new Date();
  await utimes(dir, now, now).catch(() => undefined);
}

/**
 * Renders the detector project for these rules into `WORK_DIR/<projectId>/<hash>/`, or reuses
 * it when that folder exists (same hash: no rendering at all). Rule code is checked first
 * (`RuleCodeError` lists every problem). Rendering goes to a temporary folder that is renamed
 * into place in one step, so a reader never sees a half-written detector and two synthesizers
 * racing on the same hash both end up with the same complete folder.
 */
export async function synthesizeDetector(
  options: SynthesizeOptions,
): Promise<SynthesizedDetector> {
  checkNames(options.projectId, options.dataSourceType);
  assertRulesLoadable(options.rules, { packages: options.packages });
  const rules = sortRules(options.rules);
  const templates = await readTemplateSet();
  const hash = computeDetectorHash(
    { rules, dataSourceType: options.dataSourceType },
    templates.digest,
  );
  const projectDir = join(options.workDir, options.projectId);
  const dir = join(projectDir, hash);
  if (await exists(join(dir, "manifest.json"))) {
    await touch(dir);
    return { dir, hash, cached: true };
  }
  // A folder without its manifest was damaged by hand (renames are atomic): replace it.
  if (await exists(dir)) {
    await removeFolder(dir);
  }
  await mkdir(projectDir, { recursive: true, mode: 0o755 });
  const temp = await mkdtemp(join(projectDir, `${TEMP_PREFIX}${hash}-`));
  try {
    await renderDetector({
      dir: temp,
      hash,
      rules,
      dataSourceType: options.dataSourceType,
      templates,
    });
    await rename(temp, dir);
    return { dir, hash, cached: false };
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    // Lost a race: another synthesizer renamed the same (identical) detector into place first.
    const code = (err as NodeJS.ErrnoException).code;
    if (
      (code === "ENOTEMPTY" || code === "EEXIST") &&
      (await exists(join(dir, "manifest.json")))
    ) {
      return { dir, hash, cached: true };
    }
    throw err;
  }
}
