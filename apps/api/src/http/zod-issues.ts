import type { ValidationIssue } from "@vigil/contracts";
import type { z } from "zod";

/** zod's issues as `[{ path: "schedules.0.timezone", message }]`, the `details` of a 400/422. */
export function describeIssues(
  error: z.ZodError,
  prefix: readonly (string | number)[] = [],
): ValidationIssue[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...issue.path].map(String).join(".");
    return {
      path: path === "" ? "(root)" : path,
      message: describeIssue(issue),
    };
  });
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") {
    return `unknown ${issue.keys.length === 1 ? "key" : "keys"}: ${issue.keys.join(", ")}`;
  }
  return issue.message;
}

/** "timezone: ...; cron_expression: ..." for the one-line message next to the details. */
export function summarizeIssues(issues: readonly ValidationIssue[]): string {
  const shown = issues.slice(0, 3).map((i) => `${i.path}: ${i.message}`);
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : "";
  return `${shown.join("; ")}${more}`;
}
