import { readFile, stat } from "node:fs/promises";
import path from "node:path";

import type { RuleSource } from "@vigil/synthesizer";

import type { RunningRule } from "./outcome.js";

/**
 * The run folder file in which the detector runtime names the rule it is starting, before each
 * rule (packages/synthesizer/templates/runtime/run-detector.mjs): one JSON string and a newline.
 */
export const RUNNING_RULE_FILE = "running-rule";

/** Longer than any rule id the contract allows, JSON-quoted: anything bigger is not the runtime's. */
export const MAX_RUNNING_RULE_BYTES = 4096;

/**
 * The rule a killed detector was running. Rule code can write this file as well (the run folder
 * is writable), so only the id of one of the run's own rules is taken: a rule can at worst make
 * a timeout name another rule of its project, never put text of its own into the record.
 * Unset when no rule had started, or the file is missing or not one of the rules.
 */
export async function readRunningRule(
  runDir: string,
  rules: readonly Pick<RuleSource, "ruleId" | "definitionId">[],
  now: () => number = Date.now,
): Promise<RunningRule | undefined> {
  const file = path.join(runDir, RUNNING_RULE_FILE);
  try {
    const info = await stat(file);
    if (!info.isFile() || info.size > MAX_RUNNING_RULE_BYTES) {
      return undefined;
    }
    const ruleId: unknown = JSON.parse(await readFile(file, "utf8"));
    const rule = rules.find((r) => r.ruleId === ruleId);
    if (rule === undefined) {
      return undefined;
    }
    return {
      ruleId: rule.ruleId,
      definitionId: rule.definitionId,
      runningMs: Math.max(0, Math.round(now() - info.mtimeMs)),
    };
  } catch {
    return undefined;
  }
}
