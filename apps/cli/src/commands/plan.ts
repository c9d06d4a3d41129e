import { readProjectAuditState } from "@vigil/db";

import type { CliContext } from "../context.js";
import { withDb } from "../with-db.js";
import { formatProblems, readProjectFile } from "../project-file.js";
import { diffProject, type PlanLine } from "../project-diff.js";

/** Exit codes that let `vigil plan` gate a pull request. */
export const PLAN_EXIT = { unchanged: 0, errors: 1, changes: 2 } as const;

/**
 * `vigil plan -f FILE`: what `vigil apply -f FILE` would change, against the database, without
 * changing anything: projects created, settings and config paths changed, schedules added or
 * removed, rules added, removed or changed. Exit 0: no change; 2: changes; 1: errors.
 */
export async function planCommand(
  ctx: CliContext,
  file: string,
): Promise<number> {
  const result = await readProjectFile(file);
  if (!result.ok) {
    ctx.err(formatProblems(result.problems));
    return PLAN_EXIT.errors;
  }
  return withDb(ctx.databaseUrl(), async (db) => {
    const lines: PlanLine[] = [];
    let changed = 0;
    for (const project of result.projects) {
      const diff = diffProject(
        project,
        await readProjectAuditState(db, project.id),
      );
      if (diff.length > 0) {
        changed += 1;
        lines.push(...diff);
      }
    }
    lines.forEach((l) => ctx.out(`${l.sign} ${l.text}`));
    if (changed === 0) {
      ctx.out(`no changes (${result.projects.length} project(s))`);
      return PLAN_EXIT.unchanged;
    }
    ctx.out(
      `${lines.length} change(s) in ${changed} of ${result.projects.length} project(s)`,
    );
    return PLAN_EXIT.changes;
  });
}
