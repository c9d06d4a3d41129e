import type { z } from "zod";

import { type ProjectInput, ProjectInputSchema } from "./entities.js";

export interface Problem {
  /** Where, as a dotted path into the input: `schedules.0.cron_expression`, `rules.2.code`. */
  path: string;
  message: string;
}

/**
 * The checks beyond the schema, injected so that this package stays free of the scheduling
 * and synthesizer packages: the API and the CLI pass `validateSchedule` and `checkRuleCode`.
 */
export interface ProjectCheckers {
  checkSchedule(s: {
    cron: string;
    timezone: string;
  }): { ok: true } | { ok: false; field: "cron" | "timezone"; message: string };
  checkRuleCode(
    ruleId: string,
    code: string,
  ):
    | { ok: true }
    | {
        ok: false;
        errors: Array<{
          message: string;
          line: number | null;
          column: number | null;
        }>;
      };
}

export type ProjectValidation =
  { ok: true; project: ProjectInput } | { ok: false; problems: Problem[] };

/** Every problem of a whole project at once, each with its path: schema, cron, timezone, rule code, duplicates. */
export function validateProjectInput(
  raw: unknown,
  checkers: ProjectCheckers,
): ProjectValidation {
  const parsed = ProjectInputSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, problems: zodProblems(parsed.error) };
  }
  const project = parsed.data;
  const problems: Problem[] = [];
  project.schedules.forEach((s, i) => {
    const result = checkers.checkSchedule({
      cron: s.cron_expression,
      timezone: s.timezone,
    });
    if (!result.ok) {
      problems.push({
        path: `schedules.${i}.${result.field === "cron" ? "cron_expression" : "timezone"}`,
        message: result.message,
      });
    }
  });
  const seen = new Set<string>();
  project.rules.forEach((r, i) => {
    if (seen.has(r.rule_id)) {
      problems.push({
        path: `rules.${i}.rule_id`,
        message: `rule_id ${JSON.stringify(r.rule_id)} appears more than once`,
      });
    }
    seen.add(r.rule_id);
    const result = checkers.checkRuleCode(r.rule_id, r.code);
    if (!result.ok) {
      for (const e of result.errors) {
        const where =
          e.line === null ? "" : ` (line ${e.line}, column ${e.column ?? 0})`;
        problems.push({
          path: `rules.${i}.code`,
          message: `${e.message}${where}`,
        });
      }
    }
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, project };
}

/** zod issues as path + message pairs. */
export function zodProblems(error: z.ZodError): Problem[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(root)",
    message: issue.message,
  }));
}
