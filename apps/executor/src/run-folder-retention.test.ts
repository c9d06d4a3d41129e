import { existsSync } from "node:fs";
import { mkdir, mkdtemp, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import type { Db } from "@vigil/db";
import { dbTest, insertProject, waitFor } from "@vigil/db/testing";
import { createLogger } from "@vigil/logger";
import { expect } from "vitest";

import { applyRunFolderRetention } from "./run-folder-retention.js";
import { createWorkDirGc } from "./work-dir-gc.js";

const HOUR = 3600_000;

async function execution(db: Db, projectId: string): Promise<number> {
  const now = new Date();
  const row = await db
    .insertInto("executions")
    .values({
      project_id: projectId,
      status: "success",
      scheduled_for: now,
      started_at: now,
      finished_at: now,
      window_start: now,
      window_end: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** A run folder as run-detector leaves it, last touched `ageHours` ago. */
async function runFolder(
  workDir: string,
  projectId: string,
  executionId: number,
  ageHours = 0,
): Promise<string> {
  const dir = path.join(workDir, projectId, "runs", String(executionId));
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "rows.ndjson"), '{"id":1}\n');
  const t = new Date(Date.now() - ageHours * HOUR);
  await utimes(dir, t, t);
  return dir;
}

dbTest(
  "run folders go once older than the retention or when their execution row is gone; folders in use stay",
  async ({ db }) => {
    const workDir = await mkdtemp(path.join(os.tmpdir(), "vigil-run-ret-"));
    const project = await insertProject(db);
    const kept = await runFolder(
      workDir,
      project.id,
      await execution(db, project.id),
      1,
    );
    const old = await runFolder(
      workDir,
      project.id,
      await execution(db, project.id),
      80,
    );
    const prunedId = await execution(db, project.id);
    const pruned = await runFolder(workDir, project.id, prunedId, 1);
    await db.deleteFrom("executions").where("id", "=", prunedId).execute();
    // an id that exists, but under another project: not this folder's execution
    const other = await insertProject(db);
    const misplaced = await runFolder(
      workDir,
      project.id,
      await execution(db, other.id),
      1,
    );
    const inFlight = await runFolder(workDir, project.id, 999_999_999, 100);
    // a deleted project's executions go with it (cascade), and so do their folders
    const deleted = await insertProject(db);
    const ofDeleted = await runFolder(
      workDir,
      deleted.id,
      await execution(db, deleted.id),
      1,
    );
    await db.deleteFrom("projects").where("id", "=", deleted.id).execute();
    const notARun = path.join(workDir, project.id, "runs", "notes");
    await mkdir(notARun);

    const result = await applyRunFolderRetention({
      workDir,
      db,
      retentionMs: 72 * HOUR,
      keep: new Set([inFlight]),
    });
    expect(result.expired).toEqual([old]);
    expect(result.orphaned.sort()).toEqual(
      [misplaced, ofDeleted, pruned].sort(),
    );
    for (const gone of [old, pruned, misplaced, ofDeleted]) {
      expect(existsSync(gone), gone).toBe(false);
    }
    for (const stays of [kept, inFlight, notARun]) {
      expect(existsSync(stays), stays).toBe(true);
    }

    const again = await applyRunFolderRetention({
      workDir,
      db,
      retentionMs: 72 * HOUR,
      keep: new Set([inFlight]),
    });
    expect(again).toEqual({ expired: [], orphaned: [] });
  },
);

dbTest(
  "the executor's work-dir collector applies the retention on its first pass",
  async ({ db }) => {
    const workDir = await mkdtemp(path.join(os.tmpdir(), "vigil-run-ret-"));
    const project = await insertProject(db);
    const fresh = await runFolder(
      workDir,
      project.id,
      await execution(db, project.id),
      0,
    );
    const past = await runFolder(
      workDir,
      project.id,
      await execution(db, project.id),
      3,
    );
    const orphan = await runFolder(workDir, project.id, 123_456_789, 0);
    const gc = createWorkDirGc({
      workDir,
      maxTotalBytes: 1024 ** 3,
      inUse: () => new Set(),
      logger: createLogger({ level: "silent", name: "test" }),
      runFolders: { db, retentionMs: 2 * HOUR },
    });
    gc.start();
    try {
      await waitFor(() => !existsSync(past) && !existsSync(orphan), {
        message: "the expired and the orphaned run folder to go",
      });
      expect(existsSync(fresh)).toBe(true);
    } finally {
      gc.stop();
    }
  },
);
