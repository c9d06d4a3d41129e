import { ProjectConfigSchema } from "@vigil/contracts";
import { createDb, getProject, requestProjectRun } from "@vigil/db";

import type { CliContext } from "../context.js";
import { waitForTrigger } from "./wait-for-trigger.js";

export interface RunOptions {
  projectId: string;
  wait: boolean;
  timeoutMs: number;
}

/**
 * `vigil trigger PROJECT` queues a manual run now; `vigil run PROJECT` also waits for it and
 * prints the outcome (the running executors do the work; this command only asks and watches).
 */
export async function runCommand(
  ctx: CliContext,
  o: RunOptions,
): Promise<number> {
  const handle = createDb({
    connectionString: ctx.databaseUrl(),
    max: 1,
    applicationName: "vigil-cli",
  });
  try {
    const project = await getProject(handle.db, o.projectId);
    if (!project) {
      ctx.err(`no project ${JSON.stringify(o.projectId)}`);
      return 1;
    }
    const config = ProjectConfigSchema.safeParse(project.config);
    const maxAttempts = config.success ? config.data.max_attempts : 1;
    const trigger = await requestProjectRun(handle.db, {
      projectId: o.projectId,
      requestedBy: "cli",
      maxAttempts,
    });
    ctx.out(`queued trigger ${trigger.id} for ${o.projectId}`);
    if (!o.wait) {
      return 0;
    }
    return await waitForTrigger(ctx, handle.db, trigger.id, o.timeoutMs);
  } finally {
    await handle.close();
  }
}
