import { mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, expect, it } from "vitest";

import { describeOutcome, ruleResultsOf } from "./outcome.js";
import { readRunningRule, RUNNING_RULE_FILE } from "./running-rule.js";

const dirs: string[] = [];
afterAll(() =>
  Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))),
);

const rules = [
  { ruleId: "first", definitionId: null },
  { ruleId: "second", definitionId: "def-2" },
];

async function runDirWith(content: string | null): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "vigil-running-rule-"));
  dirs.push(dir);
  if (content !== null) {
    const file = path.join(dir, RUNNING_RULE_FILE);
    await writeFile(file, content);
    const started = new Date("2026-12-06T10:00:00.000Z");
    await utimes(file, started, started);
  }
  return dir;
}

const at = (iso: string) => () => new Date(iso).getTime();

it("names one of the run's own rules, with how long it had been running, and nothing else", async () => {
  expect(
    await readRunningRule(
      await runDirWith('"second"\n'),
      rules,
      at("2026-12-06T10:00:02.500Z"),
    ),
  ).toEqual({ ruleId: "second", definitionId: "def-2", runningMs: 2500 });
  // rule code can write the file too: text that is not one of the rules' ids is not taken
  for (const forged of [
    '"no-such-rule"\n',
    '"second; DROP TABLE executions"',
    "second",
    '{"ruleId":"second"}',
    `"${"x".repeat(5000)}"`,
  ]) {
    expect(
      await readRunningRule(await runDirWith(forged), rules),
      forged,
    ).toBeUndefined();
  }
  // no rule had started
  expect(await readRunningRule(await runDirWith(null), rules)).toBeUndefined();
});

it("a timeout's message and rule_results name the rule that was running", () => {
  const outcome = {
    kind: "timed_out" as const,
    afterMs: 3_012,
    runningRule: { ruleId: "second", definitionId: "def-2", runningMs: 2_990 },
    details: {},
  };
  expect(describeOutcome(outcome)).toBe(
    'detector timed out after 3 s while running rule "second"',
  );
  expect(ruleResultsOf(outcome)).toEqual([
    {
      ruleId: "second",
      definitionId: "def-2",
      status: "error",
      durationMs: 2_990,
      findings: 0,
      error: 'timed out after 3 s while running rule "second"',
    },
  ]);
  const { runningRule: _r, ...beforeAnyRule } = outcome;
  expect(describeOutcome(beforeAnyRule)).toBe("detector timed out after 3 s");
  expect(ruleResultsOf(beforeAnyRule)).toEqual([]);
});
