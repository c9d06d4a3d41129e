import { createHash } from "node:crypto";
import {
  chmod,
  copyFile,
  link,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  utimes,
  writeFile,
} from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { exists } from "./exists.js";
import { TEMP_PREFIX } from "./remove-folder.js";
import { readTemplateSet } from "./template-files.js";

/**
 * Detectors can be run by a "standby" process: booted ahead of its run in an executor slot,
 * waiting for its nonce (see standby/standby.mjs). It runs the same runtime files a detector
 * folder holds, from a shared folder, and reads the detector's manifest and rules from the slot:
 *
 *     WORK_DIR/.runtime/<digest>/standby.mjs, runtime/*.mjs   shared, read-only, trusted
 *     <slot>/detector/manifest.json, rules/*.mjs              linked from the detector folder
 *     <slot>/run/                                             the run folder (input, result)
 *
 * so the standby's allow-lists (Node's permission model) name only the runtime folder and its
 * slot, fixed before anyone knows which project runs next.
 */
const STANDBY_ENTRY = fileURLToPath(
  new URL("../standby/standby.mjs", import.meta.url),
);

export interface StandbyRuntime {
  /** `WORK_DIR/.runtime/<digest>`: readable by every detector uid, written by nobody after creation. */
  dir: string;
  /** `<dir>/standby.mjs`: `node standby.mjs <slot folder>/run`. */
  entry: string;
}

const prepared = new Map<string, Promise<StandbyRuntime>>();

/**
 * Writes the runtime (templates/runtime/*) and the standby entry into
 * `WORK_DIR/.runtime/<digest>/` once per template digest, atomically (a temporary folder renamed
 * into place), and returns where they are. Cached per process; written again if the folder was
 * removed since.
 */
export async function prepareStandbyRuntime(
  workDir: string,
): Promise<StandbyRuntime> {
  let runtime = prepared.get(workDir);
  if (runtime !== undefined) {
    const ready = await runtime.catch(() => undefined);
    // WORK_DIR's collector (or an operator) may have removed it since: write it again
    if (ready && (await exists(ready.entry))) {
      return ready;
    }
    if (prepared.get(workDir) === runtime) {
      prepared.delete(workDir);
    }
  }
  runtime = prepared.get(workDir);
  if (runtime === undefined) {
    runtime = writeStandbyRuntime(workDir);
    prepared.set(workDir, runtime);
    runtime.catch(() => prepared.delete(workDir));
  }
  return runtime;
}

async function writeStandbyRuntime(workDir: string): Promise<StandbyRuntime> {
  const templates = await readTemplateSet();
  const entry = await readFile(STANDBY_ENTRY, "utf8");
  const digest = createHash("sha256")
    .update(templates.digest)
    .update("\0")
    .update(entry)
    .digest("hex")
    .slice(0, 32);
  const root = join(workDir, ".runtime");
  const dir = join(root, digest);
  const result = { dir, entry: join(dir, "standby.mjs") };
  if (await exists(result.entry)) {
    // used again (say, after a long downtime): WORK_DIR's collector removes runtimes by age
    const now = new Date();
    await utimes(dir, now, now).catch(() => undefined);
    return result;
  }
  await mkdir(root, { recursive: true, mode: 0o755 });
  const temp = await mkdtemp(join(root, `${TEMP_PREFIX}${digest}-`));
  try {
    await chmod(temp, 0o755); // mkdtemp makes it 0700; standbys run as other uids
    const files = [
      ...templates.files.filter((f) => f.path.startsWith("runtime/")),
      { path: "standby.mjs", content: entry },
    ];
    await mkdir(join(temp, "runtime"), { mode: 0o755 });
    for (const file of files) {
      // World-readable: standbys run as per-slot uids.
      await writeFile(join(temp, file.path), file.content, { mode: 0o644 });
    }
    await rename(temp, dir);
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    if (!(await exists(result.entry))) {
      throw err;
    }
  }
  return result;
}

export interface SlotLayout {
  /** Where the detector's manifest and rules are linked for one run. */
  detectorDir: string;
  /** The run folder: context.json, rows.ndjson; moved to `<project>/runs/<id>` after the run. */
  runDir: string;
}

export function slotLayout(slotDir: string): SlotLayout {
  return {
    detectorDir: join(slotDir, "detector"),
    runDir: join(slotDir, "run"),
  };
}

/**
 * Puts a synthesized detector's manifest.json and rules into `<slot>/detector/` as hard links
 * (same file system: no bytes copied; copies where links are refused). Whatever the slot held
 * before is removed first.
 */
export async function stageDetectorInSlot(
  detectorDir: string,
  slotDir: string,
): Promise<void> {
  const target = slotLayout(slotDir).detectorDir;
  await rm(target, { recursive: true, force: true });
  await mkdir(join(target, "rules"), { recursive: true, mode: 0o755 });
  const rules = await readdir(join(detectorDir, "rules"));
  await Promise.all([
    linkOrCopy(
      join(detectorDir, "manifest.json"),
      join(target, "manifest.json"),
    ),
    ...rules.map((name) =>
      linkOrCopy(join(detectorDir, "rules", name), join(target, "rules", name)),
    ),
  ]);
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EXDEV" && code !== "EPERM" && code !== "EMLINK") {
      throw err;
    }
    await copyFile(from, to);
  }
}
