import { utimes } from "node:fs/promises";

import type { Db } from "@vigil/db";
import { type Logger } from "@vigil/logger";
import { garbageCollect } from "@vigil/synthesizer";

import { applyRunFolderRetention } from "./run-folder-retention.js";

export interface WorkDirGcOptions {
  workDir: string;
  /** Total size WORK_DIR may keep (DETECTOR_WORK_DIR_MAX_MB). */
  maxTotalBytes: number;
  /**
   * Folders this executor uses (runs in flight, its slots, the standby runtime): never removed,
   * and touched on each pass, so that another executor sharing WORK_DIR sees them in use.
   */
  inUse: () => ReadonlySet<string>;
  logger: Logger;
  /** @default 10 minutes */
  intervalMs?: number;
  /** Unused detector and run folders older than this go. @default 7 days */
  maxAgeMs?: number;
  /**
   * Run folders (a run's input rows) older than `retentionMs` (RUN_FOLDER_RETENTION_HOURS), or
   * whose execution row is gone, go on each pass. Absent: only `maxAgeMs` and the size budget
   * apply to them.
   */
  runFolders?: { db: Db; retentionMs: number };
}

/**
 * Keeps WORK_DIR bounded: run folders past their retention or their execution (see
 * run-folder-retention.ts), old detector folders (superseded hashes) and old run folders are
 * removed by age, then least recently used first until the total fits; slots left by a killed
 * executor after an hour, standby runtimes of old versions by age. A failed pass is
 * logged and tried again on the next tick; it never affects runs.
 */
export function createWorkDirGc(o: WorkDirGcOptions): {
  start(): void;
  stop(): void;
} {
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  const pass = async () => {
    if (running) {
      return;
    }
    running = true;
    try {
      const keep = o.inUse();
      const now = new Date();
      // an idle slot's folder does not change: without this, another executor's pass would
      // take it for a crashed executor's leftover after an hour
      await Promise.all(
        [...keep].map((dir) => utimes(dir, now, now).catch(() => undefined)),
      );
      if (o.runFolders) {
        const runs = await applyRunFolderRetention({
          workDir: o.workDir,
          db: o.runFolders.db,
          retentionMs: o.runFolders.retentionMs,
          keep,
          now,
        });
        if (runs.expired.length + runs.orphaned.length > 0) {
          o.logger.info(
            { expired: runs.expired.length, orphaned: runs.orphaned.length },
            "run folders removed (past RUN_FOLDER_RETENTION_HOURS, or their execution is gone)",
          );
        }
      }
      const r = await garbageCollect({
        workDir: o.workDir,
        maxAgeMs: o.maxAgeMs ?? 7 * 24 * 3600_000,
        maxTotalBytes: o.maxTotalBytes,
        keep,
      });
      if (r.removed.length > 0) {
        o.logger.info(
          {
            removed: r.removed.length,
            freedBytes: r.freedBytes,
            remainingBytes: r.remainingBytes,
          },
          "work dir collected",
        );
      }
    } catch (err) {
      o.logger.warn({ err }, "work dir collection failed; trying again later");
    } finally {
      running = false;
    }
  };
  return {
    start() {
      timer = setInterval(() => void pass(), o.intervalMs ?? 10 * 60_000);
      timer.unref();
      void pass();
    },
    stop() {
      clearInterval(timer);
    },
  };
}
