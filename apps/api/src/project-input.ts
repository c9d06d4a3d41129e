import type { ProjectInput } from "@vigil/contracts";
import type { ApplyProjectInput, JsonObject } from "@vigil/db";

import {
  assertNoIssues,
  ruleCodeIssues,
  scheduleIssues,
} from "./write-checks.js";

/**
 * Checks what zod cannot (cron, timezone, rule code, duplicate rule ids) for a whole
 * project, reporting every problem with its path, and returns the rows to write.
 */
export function checkProjectInput(p: ProjectInput): ApplyProjectInput {
  const schedules = p.schedules.flatMap((s, i) =>
    scheduleIssues(s, `schedules.${i}`),
  );
  const seen = new Set<string>();
  const rules = p.rules.flatMap((r, i) => {
    const duplicate = seen.has(r.rule_id)
      ? [
          {
            path: `rules.${i}.rule_id`,
            message: `rule_id "${r.rule_id}" appears twice`,
          },
        ]
      : [];
    seen.add(r.rule_id);
    return [...duplicate, ...ruleCodeIssues(r.rule_id, r.code, `rules.${i}`)];
  });
  assertNoIssues(schedules, rules);
  return {
    ...p,
    config: p.config,
    // zod has checked the shape; the values are plain JSON from the request body
    rules: p.rules.map((r) => ({
      ...r,
      parameters: r.parameters as JsonObject,
      dependencies: r.dependencies,
    })),
  };
}
