import { createDb, type ExecutionRow, listFinishedExecutions } from "@vigil/db";

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
    let finishedAfter: Date | undefined;
    while (!stopped) {
      const rows = await listFinishedExecutions(handle.db, {
        projectId: o.projectId,
        finishedAfter,
        limit: finishedAfter ? 500 : 10,
      });
      for (const e of rows) {
        ctx.out(formatExecution(e));
        finishedAfter = e.finished_at ?? finishedAfter;
      }
      finishedAfter ??= new Date();
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
