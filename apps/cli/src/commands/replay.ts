import { describeExecutionInput, requestReplay } from "@vigil/db";

import type { CliContext } from "../context.js";
import { UsageError } from "../database-target.js";
import { withDb } from "../with-db.js";
import { waitForTrigger } from "./wait-for-trigger.js";

export interface ReplayOptions {
  executionId: string | undefined;
  /** Wait this long for the replay to finish; undefined: queue it and return. */
  timeoutMs: number | undefined;
}

/**
 * `vigil replay EXECUTION_ID`: queues a `replay` trigger that runs the execution's stored input
 * (rows and window) again with the project's current rules, on whichever executor claims it.
 * Exit 1 when the execution is unknown or its input is not kept (saying why).
 */
export async function replayCommand(
  ctx: CliContext,
  o: ReplayOptions,
): Promise<number> {
  if (
    o.executionId === undefined ||
    !/^[1-9][0-9]{0,15}$/.test(o.executionId)
  ) {
    throw new UsageError(
      `replay needs an execution id, a positive integer (got ${JSON.stringify(o.executionId ?? "")})`,
    );
  }
  const executionId = Number(o.executionId);
  return withDb(ctx.databaseUrl(), async (db) => {
    const state = await describeExecutionInput(db, executionId);
    if (state === undefined) {
      ctx.err(`no execution ${executionId}`);
      return 1;
    }
    const trigger = state.kept
      ? await requestReplay(db, { executionId, requestedBy: "cli" })
      : undefined;
    if (trigger === undefined) {
      const now = await describeExecutionInput(db, executionId);
      ctx.err(
        now === undefined
          ? `no execution ${executionId}`
          : now.kept
            ? `execution ${executionId} cannot be replayed: its project no longer exists`
            : now.message,
      );
      return 1;
    }
    ctx.out(
      `queued replay trigger ${trigger.id} of execution ${executionId} (${trigger.project_id}, window ${trigger.window_start?.toISOString()} to ${trigger.window_end?.toISOString()})`,
    );
    return o.timeoutMs === undefined
      ? 0
      : waitForTrigger(ctx, db, trigger.id, o.timeoutMs);
  });
}
