import { afterAll, expect } from "vitest";

import { dbTest } from "@vigil/db/testing";

import {
  explain,
  runRules,
  sharedExecutor,
} from "./fixtures/hostile/harness.js";
import { killStartedExecutors, slotsWithLeftovers } from "./helpers.js";

// A fork bomb in rule code: every way a rule has to start processes or threads, in a loop. The
// permission model refuses child processes and workers; below it RLIMIT_NPROC (the process
// cap, per slot uid) and the pid namespace hold (packages/runner's mount-namespace test runs a
// real shell fork bomb into the cap). The run fails cleanly, nothing is left behind, the
// executor and the host are fine.
afterAll(killStartedExecutors);

dbTest(
  "a fork bomb fails the run cleanly within the process cap and leaves no process behind",
  async ({ db, testDatabase }) => {
    const { executor, workDir } = await sharedExecutor(testDatabase.url);
    const run = await runRules(db, testDatabase.url, [
      {
        ruleId: "fork-bomb",
        code: `export async function detect() {
  const cp = process.getBuiltinModule("child_process");
  const wt = process.getBuiltinModule("worker_threads");
  const errors = new Set();
  for (let i = 0; i < 500; i++) {
    try { cp.spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { detached: true }); } catch (e) { errors.add(e.code || e.message); }
    try { cp.fork("/proc/self/exe"); } catch (e) { errors.add(e.code || e.message); }
    try { new wt.Worker("setInterval(() => {}, 1000)", { eval: true }); } catch (e) { errors.add(e.code || e.message); }
  }
  throw new Error("refused: " + [...errors].join(", "));
}`,
      },
      { ruleId: "honest" },
    ]);
    const results = new Map(
      (
        run.execution.rule_results as {
          ruleId: string;
          status: string;
          error?: string;
        }[]
      ).map((r) => [r.ruleId, r]),
    );
    expect(results.get("fork-bomb")?.error, explain(run, executor)).toMatch(
      /ERR_ACCESS_DENIED/,
    );
    expect(results.get("honest")?.status).toBe("ok");
    expect(run.execution.sandbox).toMatchObject({ permission_model: true });
    if (process.getuid?.() === 0) {
      expect(run.execution.sandbox).toMatchObject({
        process_cap: true,
        pid_namespace: true,
      });
    }
    expect(await slotsWithLeftovers(workDir)).toEqual([]);
    expect(executor.child.exitCode).toBeNull();
  },
  60_000,
);
