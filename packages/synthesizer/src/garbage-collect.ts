import { lstat, readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { removeFolder, TEMP_PREFIX } from "./remove-folder.js";

export interface GarbageCollectOptions {
  workDir: string;
  /** Detector and run folders not used for longer than this are removed. */
  maxAgeMs: number;
  /** Then the least recently used folders are removed until the rest fit in this many bytes. */
  maxTotalBytes: number;
  /**
   * Folders in use, never removed: detector and run folders of running executions, and an
   * executor's slots and the standby runtime it boots from (a standby booting while its runtime
   * is removed fails its run).
   */
  keep: ReadonlySet<string>;
  /** The clock, passed in (house style). @default new Date() */
  now?: Date;
  /**
   * Temporary folders (renders, deletions) and executor slots (`.slots/<uid>`) untouched for
   * longer than this are leftovers of a crash. A live executor touches its slots on each of its
   * own collection passes (apps/executor work-dir-gc), which must come more often than this.
   * @default 3_600_000
   */
  staleTempMs?: number;
}

export interface GarbageCollectResult {
  removed: string[];
  freedBytes: number;
  /** Bytes of the detector and run folders left, kept ones included. */
  remainingBytes: number;
}

interface Candidate {
  path: string;
  /**
   * detector and run folders are removed by age, then by size; temp folders and slots when
   * stale; runtime folders (`.runtime/<digest>`, the standbys' shared runtime of one template
   * version) by age only. The last three never count toward the size budget.
   */
  kind: "detector" | "run" | "temp" | "slot" | "runtime";
  lastUsedMs: number;
  bytes: number;
}

/** Detector folders and standby runtimes are named by a 32-hex-digit hash. */
const HASH_NAME = /^[0-9a-f]{32}$/;

async function folderBytes(path: string): Promise<number> {
  const entries = await readdir(path, {
    withFileTypes: true,
    recursive: true,
  }).catch(() => []);
  let total = 0;
  for (const entry of entries) {
    if (entry.isFile()) {
      total += (
        await lstat(join(entry.parentPath, entry.name)).catch(() => ({
          size: 0,
        }))
      ).size;
    }
  }
  return total;
}

async function subfolders(path: string): Promise<string[]> {
  const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => e.name);
}

async function describe(
  path: string,
  kind: Candidate["kind"],
): Promise<Candidate | null> {
  const stat = await lstat(path).catch(() => null);
  if (stat === null) {
    return null;
  }
  return {
    path,
    kind,
    lastUsedMs: stat.mtimeMs,
    bytes: await folderBytes(path),
  };
}

/**
 * Detector folders (`<project>/<hash>`), run folders (`<project>/runs/<id>`), executor slots
 * (`.slots/<uid>`), standby runtimes (`.runtime/<digest>`) and leftovers.
 */
async function findCandidates(workDir: string): Promise<Candidate[]> {
  const found: Array<Promise<Candidate | null>> = [];
  const slots = join(workDir, ".slots");
  for (const slot of await subfolders(slots)) {
    found.push(describe(join(slots, slot), "slot"));
  }
  const runtimes = join(workDir, ".runtime");
  for (const name of await subfolders(runtimes)) {
    if (HASH_NAME.test(name)) {
      found.push(describe(join(runtimes, name), "runtime"));
    } else if (name.startsWith(TEMP_PREFIX)) {
      found.push(describe(join(runtimes, name), "temp"));
    }
  }
  for (const project of await subfolders(workDir)) {
    if (project.startsWith(".") || project === "node_modules") {
      continue;
    }
    const projectDir = join(workDir, project);
    for (const name of await subfolders(projectDir)) {
      if (HASH_NAME.test(name)) {
        found.push(describe(join(projectDir, name), "detector"));
      } else if (name.startsWith(TEMP_PREFIX)) {
        found.push(describe(join(projectDir, name), "temp"));
      }
    }
    for (const run of await subfolders(join(projectDir, "runs"))) {
      found.push(describe(join(projectDir, "runs", run), "run"));
    }
  }
  return (await Promise.all(found)).filter((c): c is Candidate => c !== null);
}

/**
 * Removes detector and run folders under `workDir` that were not used for `maxAgeMs`, then the
 * least recently used ones until the rest fit in `maxTotalBytes`; slots and temporary folders of
 * a crashed process after `staleTempMs`, standby runtimes of other template versions after
 * `maxAgeMs`; never a folder in `keep`.
 * "Used" is the folder's mtime: a cache hit in synthesizeDetector touches the detector folder,
 * writing a run's files touches its run folder.
 */
export async function garbageCollect(
  options: GarbageCollectOptions,
): Promise<GarbageCollectResult> {
  const now = (options.now ?? new Date()).getTime();
  const keep = new Set([...options.keep].map((path) => resolve(path)));
  const staleTempMs = options.staleTempMs ?? 3_600_000;
  const candidates = await findCandidates(options.workDir);
  const doomed = new Set<Candidate>();
  for (const c of candidates) {
    if (keep.has(resolve(c.path))) {
      continue;
    }
    const age = now - c.lastUsedMs;
    const stale =
      c.kind === "temp" || c.kind === "slot" ? staleTempMs : options.maxAgeMs;
    if (age > stale) {
      doomed.add(c);
    }
  }
  const survivors = candidates.filter(
    (c) => !doomed.has(c) && (c.kind === "detector" || c.kind === "run"),
  );
  let remainingBytes = survivors.reduce((sum, c) => sum + c.bytes, 0);
  for (const c of survivors
    .filter((s) => !keep.has(resolve(s.path)))
    .sort((a, b) => a.lastUsedMs - b.lastUsedMs)) {
    if (remainingBytes <= options.maxTotalBytes) {
      break;
    }
    doomed.add(c);
    remainingBytes -= c.bytes;
  }
  const removed: string[] = [];
  let freedBytes = 0;
  for (const c of doomed) {
    await removeFolder(
      c.path,
      c.kind === "run" ? join(c.path, "..", "..") : undefined,
    );
    removed.push(c.path);
    freedBytes += c.bytes;
  }
  return { removed, freedBytes, remainingBytes };
}
