import { ProjectConfigSchema } from "@vigil/contracts";
import {
  listAllProjects,
  listAllRules,
  listAllSchedules,
  notifySchedulesChanged,
  type Db,
} from "@vigil/db";

import { describeIssues } from "./http/zod-issues.js";
import { ruleCodeIssues, scheduleIssues } from "./write-checks.js";

export interface RefreshProblem {
  project_id: string;
  kind: "project" | "schedule" | "rule";
  ref: string | number | null;
  message: string;
}

/**
 * POST /projects/refresh: checks everything stored against today's validators (rows may
 * predate a rule change, or have been written past the API), then wakes the
 * trigger-creators so they re-read every schedule. Reports; changes nothing.
 */
export async function refreshProjects(db: Db) {
  const [projects, schedules, rules] = await Promise.all([
    listAllProjects(db),
    listAllSchedules(db),
    listAllRules(db),
  ]);
  const problems: RefreshProblem[] = [];
  for (const p of projects) {
    const parsed = ProjectConfigSchema.safeParse(p.config);
    if (!parsed.success) {
      for (const issue of describeIssues(parsed.error, ["config"])) {
        problems.push({
          project_id: p.id,
          kind: "project",
          ref: null,
          message: `${issue.path}: ${issue.message}`,
        });
      }
    }
  }
  for (const s of schedules) {
    for (const issue of scheduleIssues(s, "")) {
      problems.push({
        project_id: s.project_id,
        kind: "schedule",
        ref: s.id,
        message: issue.message,
      });
    }
  }
  for (const r of rules) {
    for (const issue of ruleCodeIssues(r.rule_id, r.code, "")) {
      problems.push({
        project_id: r.project_id,
        kind: "rule",
        ref: r.rule_id,
        message: issue.message,
      });
    }
  }
  await notifySchedulesChanged(db);
  return {
    checked: {
      projects: projects.length,
      schedules: schedules.length,
      rules: rules.length,
    },
    problems,
  };
}
