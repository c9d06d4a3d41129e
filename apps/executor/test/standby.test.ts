import { spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";

import { afterEach, expect } from "vitest";

import type { Db } from "@vigil/db";

import {
  dbTest,
  insertProject,
  insertRule,
  insertTriggers,
  waitFor,
} from "@vigil/db/testing";

import {
  finishedExecution,
  killStartedExecutors,
  makeWorkDir,
  processesMentioning,
  startExecutor,
  uploadRows,
} from "./helpers.js";

afterEach(killStartedExecutors);

// The finding's message is when the process that ran the rule started (its pid inside the
// sandbox's pid namespace would say nothing about which host process it was).
const WHO_RAN_ME = `export function detect() {
  return [{ key: "booted", message: String(performance.timeOrigin) }];
}`;

async function projectWithPidRule(db: Db, memoryMb: number) {
  const project = await insertProject(db, {
    config: {
      data_source: { type: "manual" },
      memory_mb: memoryMb,
      max_concurrency: 1,
    },
  });
  await insertRule(db, project.id, { ruleId: "who-ran-me", code: WHO_RAN_ME });
  await uploadRows(db, project.id, [{ id: 1 }]);
  return project;
}

/** Runs one trigger of the project; returns its execution, when its process booted and when the trigger was made. */
async function runOnce(db: Db, projectId: string, logs: () => string) {
  const triggeredAt = Date.now();
  const [trigger] = await insertTriggers(db, projectId, 1, {
    fire_at: new Date(Date.now() - 100),
  });
  const execution = await finishedExecution(db, trigger!.id);
  expect(execution.status, logs()).toBe("success");
  const finding = await db
    .selectFrom("findings")
    .select("message")
    .where("execution_id", "=", execution.id)
    .executeTakeFirstOrThrow();
  return { execution, bootedAt: Number(finding.message), triggeredAt };
}

/** A real executor with one slot on a fresh WORK_DIR, and its logs for failure messages. */
async function oneSlotExecutor(
  url: string,
  env: Record<string, string> = {},
): Promise<{ workDir: string; logs: () => string }> {
  const workDir = await makeWorkDir();
  const executor = startExecutor(url, {
    WORK_DIR: workDir,
    EXECUTOR_CONCURRENCY: "1",
    ...env,
  });
  return { workDir, logs: () => executor.logs.join("\n") };
}

/** The one process waiting in the executor's only slot, once it is there. */
async function standbyPid(workDir: string): Promise<number> {
  const pids = await waitFor(
    async () => {
      const found = await processesMentioning(`${workDir}/.slots/`);
      return found.length === 1 ? found : undefined;
    },
    { timeoutMs: 10_000, message: "one standby waiting in the slot" },
  );
  return pids[0]!;
}

dbTest(
  "a run goes to the standby booted for it: the process that ran the rule was waiting before the trigger existed",
  async ({ db, testDatabase }) => {
    const project = await projectWithPidRule(db, 256);
    const { workDir, logs } = await oneSlotExecutor(testDatabase.url);
    await runOnce(db, project.id, logs); // the slot's first run starts cold and leaves a standby

    const waiting = await standbyPid(workDir);
    const second = await runOnce(db, project.id, logs);
    expect(second.bootedAt).toBeLessThan(second.triggeredAt);

    // the used standby is gone and a new one waits for the next run
    const next = await standbyPid(workDir);
    expect(next).not.toBe(waiting);

    // the run folder was moved out of the slot, where `node main.mjs <run folder>` reproduces it
    const runDir = path.join(
      workDir,
      project.id,
      "runs",
      String(second.execution.id),
    );
    const detectorDir = path.join(
      workDir,
      project.id,
      second.execution.detector_hash!,
    );
    // stdin /dev/null: run by hand, no nonce, the result printed and written to result.json
    const byHand = spawnSync(
      process.execPath,
      [path.join(detectorDir, "main.mjs"), runDir],
      {
        cwd: detectorDir,
        env: { TZ: "UTC" },
        stdio: ["ignore", "pipe", "pipe"],
        encoding: "utf8",
      },
    );
    expect(byHand.status, byHand.stderr).toBe(0);
    expect(byHand.stderr).toMatch(/1 rule\(s\), 0 failed, 1 finding\(s\)/);
    const result = JSON.parse(
      await readFile(path.join(runDir, "result.json"), "utf8"),
    ) as { rules: { ruleId: string; status: string }[] };
    expect(result.rules).toMatchObject([
      { ruleId: "who-ran-me", status: "ok" },
    ]);
  },
  60_000,
);

dbTest(
  "a project with another memory_mb than the standby's starts a process of its own, with its own cap",
  async ({ db, testDatabase }) => {
    const small = await projectWithPidRule(db, 256);
    const large = await projectWithPidRule(db, 384);
    const { workDir, logs } = await oneSlotExecutor(testDatabase.url);
    await runOnce(db, small.id, logs);
    const waiting = await standbyPid(workDir); // booted with the 256 MiB cap

    const run = await runOnce(db, large.id, logs);
    expect(run.bootedAt).toBeGreaterThan(run.triggeredAt);
    // the mismatched standby was discarded, and the next one is booted with the 384 MiB cap
    const next = await standbyPid(workDir);
    expect(next).not.toBe(waiting);
    const cmdline = await readFile(`/proc/${next}/cmdline`, "utf8");
    expect(cmdline.split("\0")).toContain("--max-old-space-size=384");
  },
  60_000,
);

dbTest(
  "with DETECTOR_PRESTART=false nothing waits in the slots and every run starts its own process",
  async ({ db, testDatabase }) => {
    const project = await projectWithPidRule(db, 256);
    const { workDir, logs } = await oneSlotExecutor(testDatabase.url, {
      DETECTOR_PRESTART: "false",
    });
    const first = await runOnce(db, project.id, logs);
    const second = await runOnce(db, project.id, logs);
    expect(first.bootedAt).toBeGreaterThan(first.triggeredAt);
    expect(second.bootedAt).toBeGreaterThan(second.triggeredAt);
    expect(await processesMentioning(`${workDir}/.slots/`)).toEqual([]);
  },
  60_000,
);
