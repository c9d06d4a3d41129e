import type { ValidationIssue } from "@vigil/contracts";
import { validateSchedule } from "@vigil/scheduling";
import { checkRuleCode } from "@vigil/synthesizer";

import { AppError } from "./http/app-error.js";

/** Cron and timezone problems of schedules, with the validator the trigger-creator uses. */
export function scheduleIssues(
  s: { cron_expression?: string | undefined; timezone?: string | undefined },
  path: string,
): ValidationIssue[] {
  if (s.cron_expression === undefined && s.timezone === undefined) {
    return [];
  }
  const result = validateSchedule({
    cron: s.cron_expression ?? "* * * * *",
    timezone: s.timezone ?? "UTC",
  });
  if (result.ok) {
    return [];
  }
  const field = result.field === "cron" ? "cron_expression" : "timezone";
  return [
    { path: path === "" ? field : `${path}.${field}`, message: result.message },
  ];
}

/** Syntax, export and import problems of a rule's code, each with its line and column. */
export function ruleCodeIssues(
  ruleId: string,
  code: string | undefined,
  path: string,
): ValidationIssue[] {
  if (code === undefined) {
    return [];
  }
  const result = checkRuleCode(ruleId, code);
  if (result.ok) {
    return [];
  }
  const field = path === "" ? "code" : `${path}.code`;
  return result.errors.map((e) => ({
    path: field,
    message:
      e.line === null
        ? e.message
        : `${e.message} (line ${e.line}, column ${e.column})`,
  }));
}

/** Throws one 422 listing every schedule and rule problem, schedules first. */
export function assertNoIssues(
  scheduleProblems: ValidationIssue[],
  ruleProblems: ValidationIssue[],
): void {
  if (scheduleProblems.length > 0) {
    throw new AppError(
      "invalid_schedule",
      `invalid schedule: ${scheduleProblems[0]?.message ?? ""}`,
      [...scheduleProblems, ...ruleProblems],
    );
  }
  if (ruleProblems.length > 0) {
    const more =
      ruleProblems.length > 1 ? ` (and ${ruleProblems.length - 1} more)` : "";
    throw new AppError(
      "invalid_rule_code",
      `invalid rule code: ${ruleProblems[0]?.message ?? ""}${more}`,
      ruleProblems,
    );
  }
}
