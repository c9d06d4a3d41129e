import { readProjectAuditState } from "@vigil/db";

import type { CliContext } from "../context.js";
import { openLocalDetector } from "../local-detector.js";
import { planDryRun } from "../plan-dry-run.js";
import { diffProject, type PlanLine } from "../project-diff.js";
import { formatProblems, readProjectFile } from "../project-file.js";
import { withDb } from "../with-db.js";

/** Exit codes that let `vigil plan` gate a pull request. */
export const PLAN_EXIT = { unchanged: 0, errors: 1, changes: 2 } as const;

/**
 * `vigil plan -f FILE`: what `vigil apply -f FILE` would change, against the database, without
 * changing anything: projects created, settings and config paths changed, schedules added or
 * removed, rules added, removed or changed; then the dry run of each changed project as the file
 * defines it (its findings' effect on the stored discrepancies). Exit 0: no change; 2: changes;
 * 1: errors, a dry run that could not run or a rule that failed among them. `--no-dry-run`: the
 * diff alone.
 */
export async function planCommand(
  ctx: CliContext,
  file: string,
  o: { dryRun: boolean },
): Promise<number> {
  const result = await readProjectFile(file);
  if (!result.ok) {
    ctx.err(formatProblems(result.problems));
    return PLAN_EXIT.errors;
  }
  return withDb(ctx.databaseUrl(), async (db) => {
    const lines: PlanLine[] = [];
    const changedProjects: typeof result.projects = [];
    for (const project of result.projects) {
      const diff = diffProject(
        project,
        await readProjectAuditState(db, project.id),
      );
      if (diff.length > 0) {
        changedProjects.push(project);
        lines.push(...diff);
      }
    }
    lines.forEach((l) => ctx.out(`${l.sign} ${l.text}`));
    if (changedProjects.length === 0) {
      ctx.out(`no changes (${result.projects.length} project(s))`);
      return PLAN_EXIT.unchanged;
    }
    let dryRunFailed = false;
    if (o.dryRun) {
      const local = await openLocalDetector(ctx.env);
      try {
        for (const project of changedProjects) {
          const dryRun = await planDryRun(db, local.settings, project);
          const text = dryRun.lines.join("\n");
          if (dryRun.failed) {
            ctx.err(text);
          } else {
            ctx.out(text);
          }
          dryRunFailed ||= dryRun.failed;
        }
      } finally {
        await local.close();
      }
    }
    ctx.out(
      `${lines.length} change(s) in ${changedProjects.length} of ${result.projects.length} project(s)`,
    );
    return dryRunFailed ? PLAN_EXIT.errors : PLAN_EXIT.changes;
  });
}
