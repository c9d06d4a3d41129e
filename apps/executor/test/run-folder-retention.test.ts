import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import { dbTest, insertProject, waitFor } from "@vigil/db/testing";
import { afterAll, expect } from "vitest";

import { killStartedExecutors, makeWorkDir, startExecutor } from "./helpers.js";

afterAll(killStartedExecutors);

// The executor's own WORK_DIR collector (first pass at start): a run folder whose execution
// row is gone goes, one whose execution exists stays.
dbTest(
  "a started executor removes the run folders of executions that no longer exist",
  async ({ db, testDatabase }) => {
    const workDir = await makeWorkDir();
    const project = await insertProject(db);
    const now = new Date();
    const { id } = await db
      .insertInto("executions")
      .values({
        project_id: project.id,
        status: "success",
        scheduled_for: now,
        started_at: now,
        finished_at: now,
        window_start: now,
        window_end: now,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const folder = async (executionId: number) => {
      const dir = path.join(workDir, project.id, "runs", String(executionId));
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, "rows.ndjson"), '{"secret":"row"}\n');
      return dir;
    };
    const live = await folder(Number(id));
    const orphan = await folder(Number(id) + 1000);

    const executor = startExecutor(testDatabase.url, {
      WORK_DIR: workDir,
      RUN_FOLDER_RETENTION_HOURS: "72",
    });
    await waitFor(() => !existsSync(orphan), {
      timeoutMs: 20_000,
      message: `the orphaned run folder to go\n${executor.logs.slice(-10).join("\n")}`,
    });
    expect(existsSync(live)).toBe(true);
    // the log line is written after the removal and may reach the pipe a moment later
    await waitFor(
      () => executor.logs.join("\n").includes("run folders removed"),
      { timeoutMs: 5_000, message: "the removal to be logged" },
    );
    expect(executor.child.exitCode).toBeNull();
  },
  40_000,
);
