import { readdir } from "node:fs/promises";

import { afterAll, expect } from "vitest";

import { dbTest } from "@vigil/db/testing";

import {
  explain,
  runRules,
  sharedExecutor,
} from "./fixtures/hostile/harness.js";
import { killStartedExecutors } from "./helpers.js";

// A rule fills its run folder and its /tmp past the per-run disk cap (DETECTOR_DISK_MB): one big
// file stops at RLIMIT_FSIZE, many files under it are caught when the run ends, /tmp is a
// tmpfs of that size. The run fails naming the cap, the executor stays up.
afterAll(killStartedExecutors);

const DISK = { DETECTOR_DISK_MB: "8" };
const MB = 1024 * 1024;

/** The run folder is the detector's last argument (`node main.mjs <run folder>`). */
const writer = (body: string) => `export function detect() {
  const fs = process.getBuiltinModule("fs");
  const run = process.argv.at(-1);
  ${body}
  return [];
}`;

dbTest(
  "one file past the cap fails with EFBIG, whether in the run folder or /tmp",
  async ({ db, testDatabase }) => {
    const { executor } = await sharedExecutor(testDatabase.url, DISK);
    const run = await runRules(db, testDatabase.url, [
      {
        ruleId: "one-big-file",
        code: writer(
          `fs.writeFileSync(run + "/fill.bin", Buffer.alloc(${16 * MB}, 1));`,
        ),
      },
      {
        ruleId: "big-tmp-file",
        code: writer(
          `fs.writeFileSync("/tmp/fill.bin", Buffer.alloc(${16 * MB}, 1));`,
        ),
      },
    ]);
    const results = new Map(
      (run.execution.rule_results as { ruleId: string; error?: string }[]).map(
        (r) => [r.ruleId, r.error ?? ""],
      ),
    );
    expect(results.get("one-big-file"), explain(run, executor)).toMatch(
      /EFBIG|file too large/i,
    );
    // /tmp is outside the permission model's write list as well as a size-capped tmpfs
    expect(results.get("big-tmp-file")).toMatch(
      /EFBIG|ENOSPC|ERR_ACCESS_DENIED|has been restricted/,
    );
    expect(run.execution.sandbox).toMatchObject({ disk_cap: true });
    expect(executor.child.exitCode).toBeNull();
  },
  60_000,
);

dbTest(
  "many files each under the cap but together over it fail the run, and their bytes are removed",
  async ({ db, testDatabase }) => {
    const { executor } = await sharedExecutor(testDatabase.url, DISK);
    const run = await runRules(db, testDatabase.url, [
      {
        ruleId: "many-files",
        code: writer(
          `for (let i = 0; i < 6; i++) fs.writeFileSync(run + "/part-" + i, Buffer.alloc(${4 * MB - 1}, 1));`,
        ),
      },
    ]);
    expect(run.execution.status, explain(run, executor)).toBe("failed");
    expect(run.execution.error_message).toMatch(
      /over the 8 MB disk cap \(DETECTOR_DISK_MB\)/,
    );
    expect(
      (await readdir(run.runDir)).filter((f) => f.startsWith("part-")),
    ).toEqual([]);
    expect(executor.child.exitCode).toBeNull();

    // the next run on the same executor is fine
    const honest = await runRules(db, testDatabase.url, [{ ruleId: "honest" }]);
    expect(honest.execution.status, explain(honest, executor)).toBe("success");
  },
  60_000,
);
