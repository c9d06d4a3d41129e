import { access } from "node:fs/promises";
import path from "node:path";

import { afterAll, expect } from "vitest";

import { dbTest, waitFor } from "@vigil/db/testing";
import { detectSandboxCapabilities } from "@vigil/runner";

import {
  CONTROL_PLANE_SECRETS,
  createProject,
  explain,
  runProject,
  runRules,
  sharedExecutor,
} from "./fixtures/hostile/harness.js";
import {
  killStartedExecutors,
  processesMentioning,
  slotsWithLeftovers,
} from "./helpers.js";

// Every case goes through one real executor process (apps/executor/dist/main.js, concurrency 4)
// claiming real triggers from a real PostgreSQL; the cases run concurrently, so hostile runs
// share the executor with each other and with well-behaved runs, as in production.
const caps = await detectSandboxCapabilities();
afterAll(killStartedExecutors);

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );
/** After a run its slot holds at most the standby booted for the next run (see slotsWithLeftovers). */
const noProcessLeft = (workDir: string) =>
  waitFor(async () => (await slotsWithLeftovers(workDir)).length === 0, {
    timeoutMs: 3_000,
    message: `no detector process outlived its run in ${workDir}`,
  });

dbTest.concurrent(
  "an infinite loop times out: status timeout, and no process of the run is left",
  async ({ db, testDatabase }) => {
    const { executor, workDir } = await sharedExecutor(testDatabase.url);
    const run = await runRules(db, testDatabase.url, [
      { ruleId: "infinite-loop" },
    ]);
    expect(run.execution.status, explain(run, executor)).toBe("timeout");
    expect(run.execution.error_message).toBe(
      'detector timed out after 3 s while running rule "infinite-loop"',
    );
    expect(run.execution.duration_ms).toBeGreaterThanOrEqual(2_900);
    await noProcessLeft(workDir);
  },
);

dbTest.concurrent(
  "a timeout names the rule that was running: the second of three rules loops, and the message and rule_results say so",
  async ({ db, testDatabase }) => {
    const { executor, workDir } = await sharedExecutor(testDatabase.url);
    const run = await runRules(db, testDatabase.url, [
      { ruleId: "a-honest", fixture: "honest" },
      { ruleId: "b-loops", fixture: "infinite-loop" },
      { ruleId: "c-honest", fixture: "honest" },
    ]);
    expect(run.execution.status, explain(run, executor)).toBe("timeout");
    expect(run.execution.error_message).toBe(
      'detector timed out after 3 s while running rule "b-loops"',
    );
    expect(run.execution.rule_results).toEqual([
      {
        ruleId: "b-loops",
        definitionId: null,
        status: "error",
        durationMs: expect.any(Number) as number,
        findings: 0,
        error: 'timed out after 3 s while running rule "b-loops"',
      },
    ]);
    const [entry] = run.execution.rule_results as { durationMs: number }[];
    // from the rule's start to the kill: the first rule took a few milliseconds of the 3 s
    expect(entry!.durationMs).toBeGreaterThan(2_000);
    expect(entry!.durationMs).toBeLessThanOrEqual(run.execution.duration_ms!);
    await noProcessLeft(workDir);
  },
);

dbTest.concurrent(
  "a looping rule that writes another name into running-rule cannot put it in the record: the timeout names no rule",
  async ({ db, testDatabase }) => {
    const { executor } = await sharedExecutor(testDatabase.url);
    const run = await runRules(db, testDatabase.url, [
      {
        ruleId: "forges-running-rule",
        code: `export function detect() {
  const fs = process.getBuiltinModule("fs");
  const runDir = process.argv[2];
  fs.writeFileSync(runDir + "/running-rule", JSON.stringify("<b>not a rule</b>") + "\\n");
  for (;;) {
    // spin
  }
}`,
      },
    ]);
    expect(run.execution.status, explain(run, executor)).toBe("timeout");
    expect(run.execution.error_message).toBe("detector timed out after 3 s");
    expect(run.execution.rule_results).toEqual([]);
  },
);

dbTest.concurrent(
  "a detector that ignores SIGTERM and idles forever is killed at the timeout all the same",
  async ({ db, testDatabase }) => {
    const { executor, workDir } = await sharedExecutor(testDatabase.url);
    const run = await runRules(db, testDatabase.url, [
      { ruleId: "ignore-sigterm" },
    ]);
    expect(run.execution.status, explain(run, executor)).toBe("timeout");
    expect(run.execution.error_message).toMatch(/timed out/);
    await noProcessLeft(workDir);
  },
);

dbTest.concurrent(
  "a heap bomb fails the run with a message that says memory",
  async ({ db, testDatabase }) => {
    const { executor } = await sharedExecutor(testDatabase.url);
    const run = await runRules(db, testDatabase.url, [{ ruleId: "heap-bomb" }]);
    expect(run.execution.status, explain(run, executor)).toBe("failed");
    expect(run.execution.error_message).toBe(
      "the detector ran out of memory (limit 128 MB)",
    );
  },
);

dbTest.concurrent(
  "an off-heap Buffer bomb fails the run with a message that says memory",
  async ({ db, testDatabase }) => {
    const { executor } = await sharedExecutor(testDatabase.url);
    const run = await runRules(db, testDatabase.url, [
      { ruleId: "buffer-bomb" },
    ]);
    expect(run.execution.status, explain(run, executor)).toBe("failed");
    // the address-space cap makes the allocation throw (catchable) or kills the process, depending on
    // which allocation hits it first; both are a memory failure of the run
    expect(run.execution.error_message).toMatch(
      /^the detector ran out of memory \(limit 128 MB\)/,
    );
  },
);

dbTest.concurrent(
  "rule code sees none of the control plane's environment and cannot read files outside its folders",
  async ({ db, testDatabase }) => {
    const { executor, secretFile } = await sharedExecutor(testDatabase.url);
    const run = await runRules(db, testDatabase.url, [
      { ruleId: "read-secrets", parameters: { secretFile } },
    ]);
    expect(run.execution.status, explain(run, executor)).toBe("success");
    const seen = run.findings["read-secrets"] ?? {};
    expect(seen.env).toBe("NODE_ENV,TZ");
    const leaked = JSON.stringify(run.findingData["read-secrets"]);
    for (const secret of [
      testDatabase.url,
      ...Object.values(CONTROL_PLANE_SECRETS),
    ]) {
      expect(leaked).not.toContain(secret);
    }
    expect(seen["parent-environ"]).toBe("ERR_ACCESS_DENIED");
    expect(seen["own-environ"]).toBe("ERR_ACCESS_DENIED");
    expect(seen["secret-file"]).toBe("ERR_ACCESS_DENIED");
    expect(seen["etc-shadow"]).toBe("ERR_ACCESS_DENIED");
  },
);

dbTest.concurrent(
  "rule code cannot write outside its run folder, not even into its own detector folder",
  async ({ db, testDatabase }) => {
    const { executor, workDir } = await sharedExecutor(testDatabase.url);
    const outsideFile = path.join(workDir, "written-by-a-rule.txt");
    const tmpFile = path.join("/tmp", `vigil-hostile-${process.pid}.txt`);
    const run = await runRules(db, testDatabase.url, [
      { ruleId: "write-outside", parameters: { outsideFile, tmpFile } },
    ]);
    expect(run.execution.status, explain(run, executor)).toBe("success");
    expect(run.findings["write-outside"]).toEqual({
      "work-dir": "ERR_ACCESS_DENIED",
      "detector-folder": "ERR_ACCESS_DENIED",
      tmp: "ERR_ACCESS_DENIED",
    });
    expect(await exists(outsideFile)).toBe(false);
    expect(await exists(tmpFile)).toBe(false);
  },
);

const netns = caps.networkNamespace !== null;
const netnsTest = netns ? dbTest.concurrent : dbTest.skip;
netnsTest(
  netns
    ? "rule code cannot reach the control plane's PostgreSQL: the detector runs in an empty network namespace"
    : "SKIPPED: this host has no network namespace, so rule code CAN reach the network (see packages/runner README)",
  async ({ db, testDatabase }) => {
    const { executor } = await sharedExecutor(testDatabase.url);
    const url = new URL(testDatabase.url);
    const run = await runRules(db, testDatabase.url, [
      {
        ruleId: "reach-database",
        parameters: { host: url.hostname, port: Number(url.port || 5432) },
      },
    ]);
    expect(run.execution.status, explain(run, executor)).toBe("success");
    expect(run.findings["reach-database"]?.database).toMatch(
      /^(ENETUNREACH|ECONNREFUSED|EHOSTUNREACH|EADDRNOTAVAIL|process\.getBuiltinModule\("node:net"\): module "net" is not available to rules)$/,
    );
  },
);

dbTest.concurrent(
  "rule code cannot start processes or threads",
  async ({ db, testDatabase }) => {
    const { executor } = await sharedExecutor(testDatabase.url);
    const run = await runRules(db, testDatabase.url, [
      { ruleId: "spawn-process" },
    ]);
    expect(run.execution.status, explain(run, executor)).toBe("success");
    expect(run.findings["spawn-process"]).toEqual({
      spawnSync: "ERR_ACCESS_DENIED",
      exec: "ERR_ACCESS_DENIED",
      worker: "ERR_ACCESS_DENIED",
    });
  },
);

dbTest.concurrent(
  "SIGKILL sent to its parent does not reach the executor, which goes on running detectors",
  async ({ db, testDatabase }) => {
    const { executor } = await sharedExecutor(testDatabase.url);
    const run = await runRules(db, testDatabase.url, [
      { ruleId: "signal-parent" },
    ]);
    expect(run.execution.status, explain(run, executor)).toBe("success");
    // in its own pid namespace the detector's parent is bubblewrap's init (pid 1): the executor
    // has no pid there to signal at all
    const pidNamespace =
      (run.execution.sandbox as { pid_namespace?: boolean } | null)
        ?.pid_namespace === true;
    expect(run.findingData["signal-parent"]?.parent).toEqual({
      ppid: pidNamespace ? 1 : executor.pid,
    });
    expect(run.findings["signal-parent"]?.parent).toBe(
      caps.switchUser ? "EPERM" : "signalled",
    );
    expect(executor.child.exitCode).toBeNull();
    const after = await runRules(db, testDatabase.url, [{ ruleId: "honest" }]);
    expect(after.execution.status).toBe("success");
  },
);

dbTest.concurrent(
  "a detector that SIGKILLs every process it may signal does not reach a detector running next to it",
  async ({ db, testDatabase }) => {
    const { executor } = await sharedExecutor(testDatabase.url);
    const victimId = await createProject(
      db,
      [{ ruleId: "slow-honest", parameters: { delayMs: 6_000 } }],
      { timeout_seconds: 30 },
    );
    const victimRun = runProject(db, testDatabase.url, victimId);
    // the attack starts only once the victim's detector is running
    await waitFor(
      () =>
        db
          .selectFrom("executions")
          .select("id")
          .where("project_id", "=", victimId)
          .where("status", "=", "running")
          .executeTakeFirst(),
      { timeoutMs: 20_000, message: "the victim is running" },
    );
    const attacker = await runRules(
      db,
      testDatabase.url,
      [{ ruleId: "kill-everyone", parameters: { delayMs: 300 } }],
      { timeout_seconds: 20 },
    );
    const victim = await victimRun;
    expect(attacker.execution.status, explain(attacker, executor)).toBe(
      "success",
    );
    expect(attacker.execution.finished_at!.getTime()).toBeLessThan(
      victim.execution.finished_at!.getTime(),
    );
    expect(victim.execution.status, explain(victim, executor)).toBe("success");
    expect(victim.findings).toEqual({
      "slow-honest": { o2: "order o2 is off" },
    });
    expect(executor.child.exitCode).toBeNull();
  },
);

dbTest(
  "after every hostile run the executor is the same live process, left no detector behind and still runs detectors",
  async ({ db, testDatabase }) => {
    const { executor, workDir } = await sharedExecutor(testDatabase.url);
    const run = await runRules(db, testDatabase.url, [{ ruleId: "honest" }]);
    expect(run.execution.status, explain(run, executor)).toBe("success");
    expect(run.findings).toEqual({ honest: { o2: "order o2 is off" } });
    expect(executor.child.exitCode).toBeNull();
    expect(executor.logs.filter((l) => /"level":(50|60)/.test(l))).toEqual([]);
    expect(await slotsWithLeftovers(workDir)).toEqual([]);
    // at most one standby per slot of the executor's 4, each waiting in its own slot
    expect((await processesMentioning(workDir)).length).toBeLessThanOrEqual(4);
  },
);
