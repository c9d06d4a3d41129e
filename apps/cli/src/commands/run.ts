import { ProjectConfigSchema } from "@vigil/contracts";
import {
  createDb,
  getProject,
  getTriggerProgress,
  requestProjectRun,
  TERMINAL_TRIGGER_STATUSES,
} from "@vigil/db";

import type { CliContext } from "../context.js";

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
    const deadline = Date.now() + o.timeoutMs;
    while (Date.now() < deadline) {
      const progress = await getTriggerProgress(handle.db, trigger.id);
      if (
        progress &&
        (TERMINAL_TRIGGER_STATUSES as readonly string[]).includes(
          progress.trigger.status,
        )
      ) {
        const e = progress.execution;
        ctx.out(
          `trigger ${trigger.id}: ${progress.trigger.status}${progress.trigger.last_error ? ` (${progress.trigger.last_error})` : ""}`,
        );
        if (e) {
          ctx.out(
            `execution ${e.id}: ${e.status}, ${e.findings_count} finding(s), ${e.duration_ms ?? "?"} ms${e.error_message ? `: ${e.error_message}` : ""}`,
          );
        }
        // a run whose rules failed (partial) finished, but it is not a success
        return progress.trigger.status === "succeeded" &&
          (e === undefined || e === null || e.status === "success")
          ? 0
          : 1;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    ctx.err(
      `trigger ${trigger.id} did not finish within ${o.timeoutMs} ms (are executors running?)`,
    );
    return 1;
  } finally {
    await handle.close();
  }
}
