import {
  getTriggerProgress,
  TERMINAL_TRIGGER_STATUSES,
  type Db,
} from "@vigil/db";

import type { CliContext } from "../context.js";

/**
 * Watches a queued trigger until it ends or `timeoutMs` passes, printing its outcome and its
 * execution's. Exit 0 only for a trigger that succeeded with a `success` execution: a partial run
 * (a rule failed) finished, but it is not a success.
 */
export async function waitForTrigger(
  ctx: CliContext,
  db: Db,
  triggerId: number,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const progress = await getTriggerProgress(db, triggerId);
    if (
      progress &&
      (TERMINAL_TRIGGER_STATUSES as readonly string[]).includes(
        progress.trigger.status,
      )
    ) {
      const e = progress.execution;
      ctx.out(
        `trigger ${triggerId}: ${progress.trigger.status}${progress.trigger.last_error ? ` (${progress.trigger.last_error})` : ""}`,
      );
      if (e) {
        ctx.out(
          `execution ${e.id}: ${e.status}, ${e.findings_count} finding(s), ${e.duration_ms ?? "?"} ms${e.error_message ? `: ${e.error_message}` : ""}`,
        );
      }
      return progress.trigger.status === "succeeded" &&
        (e === undefined || e === null || e.status === "success")
        ? 0
        : 1;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  ctx.err(
    `trigger ${triggerId} did not finish within ${timeoutMs} ms (are executors running?)`,
  );
  return 1;
}
