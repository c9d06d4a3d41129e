import { lstat, readdir, rm } from "node:fs/promises";
import path from "node:path";

import { existingRunFolderExecutions, runFolderKey, type Db } from "@vigil/db";

export interface RunFolderRetentionOptions {
  workDir: string;
  db: Db;
  /** RUN_FOLDER_RETENTION_HOURS: a run folder untouched for longer than this goes. */
  retentionMs: number;
  /** Folders in use (runs in flight, slots): never removed. */
  keep: ReadonlySet<string>;
  now?: Date;
}

export interface RunFolderRetentionResult {
  /** Older than the retention. */
  expired: string[];
  /** Their execution row is gone (pruned by the cleaner, or the project deleted). */
  orphaned: string[];
}

const EXECUTION_ID = /^[1-9][0-9]{0,15}$/;

async function subfolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => e.name);
}

/**
 * A run's input rows stay on disk in `WORK_DIR/<project>/runs/<execution>/` (rows.ndjson and
 * the detector's output) for inspection, but no longer than RUN_FOLDER_RETENTION_HOURS and no
 * longer than the execution itself: each pass removes the folders older than the retention,
 * then asks the database in one query which of the remaining folders' executions still exist
 * and removes the others.
 */
export async function applyRunFolderRetention(
  o: RunFolderRetentionOptions,
): Promise<RunFolderRetentionResult> {
  const now = (o.now ?? new Date()).getTime();
  const keep = new Set([...o.keep].map((dir) => path.resolve(dir)));
  const expired: string[] = [];
  const young: { dir: string; projectId: string; executionId: number }[] = [];
  for (const projectId of await subfolders(o.workDir)) {
    if (projectId.startsWith(".") || projectId === "node_modules") {
      continue;
    }
    const runsDir = path.join(o.workDir, projectId, "runs");
    for (const name of await subfolders(runsDir)) {
      const dir = path.join(runsDir, name);
      if (!EXECUTION_ID.test(name) || keep.has(path.resolve(dir))) {
        continue;
      }
      const stat = await lstat(dir).catch(() => null);
      if (stat === null) {
        continue;
      }
      if (now - stat.mtimeMs > o.retentionMs) {
        expired.push(dir);
      } else {
        young.push({ dir, projectId, executionId: Number(name) });
      }
    }
  }
  const existing = await existingRunFolderExecutions(o.db, young);
  const orphaned = young
    .filter((f) => !existing.has(runFolderKey(f.projectId, f.executionId)))
    .map((f) => f.dir);
  for (const dir of [...expired, ...orphaned]) {
    await rm(dir, { recursive: true, force: true });
  }
  return { expired, orphaned };
}
