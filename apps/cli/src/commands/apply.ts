import {
  appendAuditEvent,
  applyProject,
  createDb,
  lockAuditTarget,
  readProjectAuditState,
  type JsonObject,
} from "@vigil/db";
import type { ProjectInput } from "@vigil/contracts";

import { cliActor } from "../actor.js";
import type { CliContext } from "../context.js";
import { formatProblems, readProjectFile } from "../project-file.js";

/** `vigil validate -f FILE`: checks projects without touching the database. */
export async function validateCommand(
  ctx: CliContext,
  file: string,
): Promise<number> {
  const result = await readProjectFile(file);
  if (!result.ok) {
    ctx.err(formatProblems(result.problems));
    return 1;
  }
  ctx.out(`ok: ${result.projects.map((p) => p.id).join(", ")}`);
  return 0;
}

/**
 * `vigil apply -f FILE`: validates every project first, then applies them all in one
 * transaction, each with its audit row (actor `cli:<os user>`, before/after state) in the
 * same transaction. The projects' audit locks are taken first, in id order, as the API
 * takes one per write: no two writers wait on each other in a cycle.
 */
export async function applyCommand(
  ctx: CliContext,
  file: string,
): Promise<number> {
  const result = await readProjectFile(file);
  if (!result.ok) {
    ctx.err(formatProblems(result.problems));
    ctx.err("nothing was applied");
    return 1;
  }
  const handle = createDb({
    connectionString: ctx.databaseUrl(),
    max: 1,
    applicationName: "vigil-cli",
  });
  try {
    const actor = cliActor(ctx.env);
    const summaries = await handle.db.transaction().execute(async (trx) => {
      for (const id of [...new Set(result.projects.map((p) => p.id))].sort()) {
        await lockAuditTarget(trx, id);
      }
      const out: string[] = [];
      for (const project of result.projects) {
        const before = await readProjectAuditState(trx, project.id);
        const r = await applyProject(trx, toApplyInput(project));
        await appendAuditEvent(trx, {
          actor,
          action: r.created ? "project.create" : "project.update",
          target: `project:${project.id}`,
          requestId: null,
          diff: { before, after: await readProjectAuditState(trx, project.id) },
        });
        out.push(
          `${project.id}: ${r.created ? "created" : "updated"}; rules ${r.rules.upserted} (removed ${r.rules.removed}); schedules kept ${r.schedules.kept}, added ${r.schedules.added}, removed ${r.schedules.removed}`,
        );
      }
      return out;
    });
    summaries.forEach((s) => ctx.out(s));
    return 0;
  } finally {
    await handle.close();
  }
}

export function toApplyInput(project: ProjectInput) {
  return {
    ...project,
    config: project.config as unknown as JsonObject,
    rules: project.rules.map((r) => ({
      ...r,
      parameters: r.parameters as JsonObject,
      dependencies: r.dependencies,
    })),
  };
}
