import {
  BackfillRequestSchema,
  backfillWindowCount,
  isoDurationToMs,
} from "@vigil/contracts";
import {
  createDb,
  getBackfillProgress,
  getProject,
  insertBackfill,
  notifyBackfillCreated,
  type BackfillProgress,
} from "@vigil/db";

import { cliActor } from "../actor.js";
import type { CliContext } from "../context.js";
import { UsageError } from "../database-target.js";

export interface BackfillOptions {
  projectId: string;
  from: string | undefined;
  to: string | undefined;
  step: string | undefined;
  concurrency: string | undefined;
  /** How often progress is read. */
  pollMs?: number;
}

/** Checks the options with the API's own schema, so both refuse the same input the same way. */
function parseOptions(o: BackfillOptions) {
  for (const name of ["from", "to", "step"] as const) {
    if (o[name] === undefined) {
      throw new UsageError(`backfill needs --${name}`);
    }
  }
  if (o.concurrency !== undefined && !/^\d{1,9}$/.test(o.concurrency)) {
    throw new UsageError(
      `--concurrency: expected a whole number, got ${JSON.stringify(o.concurrency)}`,
    );
  }
  const parsed = BackfillRequestSchema.safeParse({
    from: o.from,
    to: o.to,
    step: o.step,
    ...(o.concurrency !== undefined && { concurrency: Number(o.concurrency) }),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field =
      issue.path.length > 0 ? `--${issue.path.join(".")}` : "options";
    throw new UsageError(`${field}: ${issue.message}`);
  }
  return parsed.data;
}

const BAR_WIDTH = 30;

/** One line of progress: a bar of the windows finished, then the counts. */
export function formatBackfillProgress(p: BackfillProgress): string {
  const finished =
    p.existing + p.succeeded + p.failed + p.skipped + p.cancelled;
  const filled = Math.round((finished / p.total) * BAR_WIDTH);
  const bar = "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled);
  const counts = [
    `succeeded ${p.succeeded}`,
    `failed ${p.failed}`,
    `running ${p.running}`,
    `pending ${p.pending}`,
    ...(p.skipped > 0 ? [`skipped ${p.skipped}`] : []),
    ...(p.cancelled > 0 ? [`cancelled ${p.cancelled}`] : []),
    ...(p.existing > 0 ? [`already backfilled ${p.existing}`] : []),
  ].join(", ");
  return `backfill ${p.id} [${bar}] ${finished}/${p.total} ${p.status}: ${counts}`;
}

/**
 * `vigil backfill PROJECT --from ISO --to ISO --step DURATION [--concurrency N]`: starts a
 * backfill in the database (the trigger-creator makes its runs, executors run them), then
 * shows its progress until it is done. Exit 0 when every window it ran succeeded, 1 when any
 * did not; Ctrl-C stops watching only.
 */
export async function backfillCommand(
  ctx: CliContext,
  o: BackfillOptions,
): Promise<number> {
  const input = parseOptions(o);
  const handle = createDb({
    connectionString: ctx.databaseUrl(),
    max: 1,
    applicationName: "vigil-cli",
  });
  let stopped = false;
  let wake: (() => void) | undefined;
  const stop = () => {
    stopped = true;
    wake?.();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    if (!(await getProject(handle.db, o.projectId))) {
      ctx.err(`no project ${JSON.stringify(o.projectId)}`);
      return 1;
    }
    const from = new Date(input.from);
    const to = new Date(input.to);
    const stepMs = isoDurationToMs(input.step) ?? 0;
    const backfill = await handle.db.transaction().execute(async (trx) => {
      const row = await insertBackfill(trx, {
        projectId: o.projectId,
        rangeStart: from,
        rangeEnd: to,
        step: input.step,
        stepMs,
        concurrency: input.concurrency,
        total: backfillWindowCount(from.getTime(), to.getTime(), stepMs),
        requestedBy: cliActor(ctx.env),
      });
      await notifyBackfillCreated(trx);
      return row;
    });
    ctx.out(
      `backfill ${backfill.id} of ${o.projectId}: ${backfill.total} window(s) of ${backfill.step} from ${from.toISOString()} to ${to.toISOString()}, ${backfill.concurrency} at a time`,
    );
    const tty = process.stdout.isTTY === true;
    let last = "";
    for (;;) {
      const progress = await getBackfillProgress(handle.db, backfill.id);
      if (progress === undefined) {
        ctx.err(`backfill ${backfill.id} is gone (its project was deleted?)`);
        return 1;
      }
      const line = formatBackfillProgress(progress);
      if (line !== last) {
        if (tty) {
          process.stdout.write(`\r${line}\x1b[K`);
        } else {
          ctx.out(line);
        }
        last = line;
      }
      if (progress.status !== "running") {
        if (tty) {
          process.stdout.write("\n");
        }
        const ok =
          progress.status === "done" &&
          progress.failed + progress.skipped + progress.cancelled === 0;
        if (progress.existing > 0) {
          ctx.out(
            `${progress.existing} window(s) were not run again: an earlier backfill already has them`,
          );
        }
        return ok ? 0 : 1;
      }
      if (stopped) {
        if (tty) {
          process.stdout.write("\n");
        }
        ctx.out(
          `stopped watching; backfill ${backfill.id} keeps running. Watch it with GET /backfills/${backfill.id}, cancel it with POST /backfills/${backfill.id}/cancel`,
        );
        return 130;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, o.pollMs ?? 500);
      });
    }
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await handle.close();
  }
}
