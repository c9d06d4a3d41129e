import {
  createDb,
  type ExecutionRow,
  type FinishedCursor,
  listFinishedExecutions,
} from "@vigil/db";

import type { CliContext } from "../context.js";

/** `vigil tail [PROJECT]`: the last few finished executions, then each one as it finishes, until Ctrl-C. */
export async function tailCommand(
  ctx: CliContext,
  o: { projectId: string | undefined },
): Promise<number> {
  const handle = createDb({
    connectionString: ctx.databaseUrl(),
    max: 1,
    applicationName: "vigil-cli",
  });
  let stopped = false;
  process.once("SIGINT", () => (stopped = true));
  process.once("SIGTERM", () => (stopped = true));
  try {
    let after: FinishedCursor | undefined;
    let started = false;
    while (!stopped) {
      const rows = await listFinishedExecutions(handle.db, {
        projectId: o.projectId,
        after,
        limit: started ? 500 : 10,
      });
      for (const e of rows) {
        ctx.out(formatExecution(e));
        if (e.finished_at !== null) {
          after = { finishedAt: e.finished_at, id: e.id };
        }
      }
      // nothing finished yet: follow from now on rather than re-reading "the latest 10"
      after ??= { finishedAt: new Date(), id: 0 };
      started = true;
      await new Promise((r) => setTimeout(r, 1000));
    }
    return 0;
  } finally {
    await handle.close();
  }
}

function formatExecution(e: ExecutionRow): string {
  const findings = `${e.findings_count} finding(s)`.padStart(14);
  const error = e.error_message ? `  ${e.error_message}` : "";
  return `${e.finished_at?.toISOString() ?? "-"}  ${e.project_id}  #${e.id}  ${e.status.padEnd(9)}${findings}  ${e.duration_ms ?? "?"} ms${error}`;
}
