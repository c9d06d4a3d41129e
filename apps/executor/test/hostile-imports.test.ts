import { afterAll, expect } from "vitest";

import { dbTest } from "@vigil/db/testing";

import {
  explain,
  runRules,
  sharedExecutor,
  type HostileRule,
} from "./fixtures/hostile/harness.js";
import { killStartedExecutors, slotsWithLeftovers } from "./helpers.js";

// Rule code that reaches for modules the import policy refuses, in ways the synthesizer's
// static check cannot see, through one real executor process (see fixtures/hostile/harness.ts).
afterAll(killStartedExecutors);

interface RuleResult {
  ruleId: string;
  status: string;
  error?: string;
}

const resultsOf = (rules: unknown) =>
  new Map((rules as RuleResult[]).map((r) => [r.ruleId, r]));

const HONEST: HostileRule = { ruleId: "honest" };
const CODE_FROM_STRINGS =
  /^rule code cannot build code from strings \(eval, new Function/;

dbTest.concurrent(
  "import() of net or child_process built with Function, eval or a computed string fails only that rule",
  async ({ db, testDatabase }) => {
    const { executor } = await sharedExecutor(testDatabase.url);
    const run = await runRules(db, testDatabase.url, [
      {
        ruleId: "function-net",
        code: "export async function detect() { const net = await new Function('s', 'return import(s)')('net'); net.connect('/run/anything.sock'); return []; }",
      },
      {
        ruleId: "function-child-process",
        code: "export async function detect() { await new Function('s', 'return import(s)')('node:child_process'); return []; }",
      },
      {
        ruleId: "eval-net",
        code: "export async function detect() { await eval(\"import('node:net')\"); return []; }",
      },
      {
        ruleId: "computed-string",
        code: "const load = new Function('s', 'return import(s)');\nexport async function detect() { await load(['ne', 't'].join('')); return []; }",
      },
      HONEST,
    ]);
    expect(run.execution.status, explain(run, executor)).toBe("partial");
    const results = resultsOf(run.execution.rule_results);
    for (const id of [
      "function-net",
      "function-child-process",
      "eval-net",
      "computed-string",
    ]) {
      expect(results.get(id)?.status, id).toBe("error");
      expect(results.get(id)?.error, id).toMatch(CODE_FROM_STRINGS);
    }
    expect(run.findings).toEqual({ honest: { o2: "order o2 is off" } });
  },
);

dbTest.concurrent(
  "process.getBuiltinModule('net') and a socket built from process.stdout fail the rule by name",
  async ({ db, testDatabase }) => {
    const { executor } = await sharedExecutor(testDatabase.url);
    const run = await runRules(db, testDatabase.url, [
      {
        ruleId: "get-builtin-net",
        code: "const net = process.getBuiltinModule('net');\nexport function detect() { net.connect('/run/anything.sock'); return []; }",
      },
      {
        ruleId: "stdout-socket",
        code: "export function detect() { const Socket = process.stdout.constructor; new Socket().connect('/run/anything.sock'); return []; }",
      },
      HONEST,
    ]);
    expect(run.execution.status, explain(run, executor)).toBe("partial");
    const results = resultsOf(run.execution.rule_results);
    expect(results.get("get-builtin-net")).toMatchObject({
      status: "error",
      error:
        'process.getBuiltinModule("net"): module "net" is not available to rules',
    });
    expect(results.get("stdout-socket")).toMatchObject({
      status: "error",
      error: "Socket is not a constructor",
    });
    expect(run.findings).toEqual({ honest: { o2: "order o2 is off" } });
  },
);

dbTest.concurrent(
  "a computed import() or a detect that is not a function in the rule's own source fails the run before spawn, naming the rule",
  async ({ db, testDatabase }) => {
    const { executor } = await sharedExecutor(testDatabase.url);
    const run = await runRules(db, testDatabase.url, [
      {
        ruleId: "computed-import",
        code: "const name = 'n' + 'et';\nexport async function detect() { await import(name); return []; }",
      },
      { ruleId: "detect-is-one", code: "export const detect = 1;" },
      HONEST,
    ]);
    expect(run.execution.status, explain(run, executor)).toBe("failed");
    expect(run.execution.error_message).toMatch(
      /computed-import.*import\(\) with a computed specifier cannot be checked.*\(line 2, column \d+\)/s,
    );
    expect(run.execution.error_message).toMatch(
      /"detect-is-one": detect must be a function.*here it is a literal \(line 1, column 14\)/s,
    );
    expect(run.execution.exit_code).toBeNull();
  },
);

dbTest.concurrent(
  "a top-level await that never resolves, a global fetch and an unhandled rejection fail only their rules",
  async ({ db, testDatabase }) => {
    const { executor } = await sharedExecutor(testDatabase.url);
    const run = await runRules(db, testDatabase.url, [
      {
        ruleId: "await-forever",
        code: "await new Promise(() => {});\nexport function detect() { return []; }",
      },
      {
        ruleId: "fetch",
        code: "export async function detect() { await fetch('http://127.0.0.1:9/'); return []; }",
      },
      {
        ruleId: "fetch-unawaited",
        code: "export function detect() { Promise.resolve().then(() => fetch('http://127.0.0.1:9/')); return new Promise((r) => setTimeout(() => r([]), 50)); }",
      },
      {
        ruleId: "not-callable",
        code: "export const detect = Number.parseInt('1');",
      },
      HONEST,
    ]);
    expect(run.execution.status, explain(run, executor)).toBe("partial");
    const results = resultsOf(run.execution.rule_results);
    expect(results.get("await-forever")).toMatchObject({
      status: "error",
      error:
        'rule "await-forever" never finished loading: its module\'s top-level await waits on a promise that nothing can settle',
    });
    expect(results.get("fetch")).toMatchObject({
      status: "error",
      error: "fetch: network access is not available to rules",
    });
    expect(results.get("fetch-unawaited")).toMatchObject({
      status: "error",
      error:
        "an unhandled promise rejection: fetch: network access is not available to rules",
    });
    expect(results.get("not-callable")?.error).toMatch(
      /^rule "not-callable" \(rules\/\d+-not-callable\.mjs\) exports detect as a number, not a function$/,
    );
    expect(run.findings).toEqual({ honest: { o2: "order o2 is off" } });
  },
);

dbTest.concurrent(
  "a top-level infinite loop is stopped by the run's timeout, and stderr's last line names the rule being loaded",
  async ({ db, testDatabase }) => {
    const { executor } = await sharedExecutor(testDatabase.url);
    const run = await runRules(db, testDatabase.url, [
      HONEST,
      {
        ruleId: "loops-at-load",
        code: "for (;;) {}\nexport function detect() { return []; }",
      },
    ]);
    expect(run.execution.status, explain(run, executor)).toBe("timeout");
    expect(run.execution.error_message).toMatch(/^detector timed out after/);
    expect((run.execution.stderr_tail ?? "").trim().split("\n").at(-1)).toBe(
      'vigil detector: running rule "loops-at-load"',
    );
  },
);

dbTest(
  "after these runs the executor is the same live process and left no detector behind",
  async ({ db, testDatabase }) => {
    const { executor, workDir } = await sharedExecutor(testDatabase.url);
    const run = await runRules(db, testDatabase.url, [HONEST]);
    expect(run.execution.status, explain(run, executor)).toBe("success");
    expect(executor.child.exitCode).toBeNull();
    expect(executor.logs.filter((l) => /"level":(50|60)/.test(l))).toEqual([]);
    expect(await slotsWithLeftovers(workDir)).toEqual([]);
  },
);
