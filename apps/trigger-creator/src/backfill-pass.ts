import {
  advanceBackfill,
  findNextBackfillWindows,
  insertBackfillTriggers,
  listRunningBackfillIds,
  lockRunningBackfill,
  type Db,
} from "@vigil/db";
import type { Logger } from "@vigil/logger";

export interface BackfillPassStats {
  /** Running backfills looked at. */
  backfills: number;
  /** Triggers made. */
  triggers: number;
  /** Backfills that finished in this pass. */
  done: number;
}

export interface TopUpResult {
  /** Skipped: another top-up held it, or it is no longer running. */
  locked: boolean;
  created: number;
  done: boolean;
}

/** Backfills topped up per pass; more wait for the next one. */
const PASS_LIMIT = 500;

/**
 * Tops one backfill up to `concurrency` unfinished triggers, in one transaction: it makes
 * triggers for the next windows no live backfill trigger covers, moves the cursor past them
 * (and past the windows already covered, counted as `existing`), and marks it done once the
 * cursor is at the end and none of its triggers is unfinished. The claim still applies the
 * project's own limits to each of these triggers.
 */
export async function topUpBackfill(db: Db, id: number): Promise<TopUpResult> {
  return db.transaction().execute(async (trx) => {
    const locked = await lockRunningBackfill(trx, id);
    if (locked === undefined) {
      return { locked: false, created: 0, done: false };
    }
    const { backfill: b, unfinished } = locked;
    const room = Math.max(0, b.concurrency - unfinished);
    let created = 0;
    let nextWindow = b.next_window;
    if (room > 0 && nextWindow < b.total) {
      const windows = await findNextBackfillWindows(trx, b, room);
      created = await insertBackfillTriggers(trx, {
        backfillId: b.id,
        projectId: b.project_id,
        requestedBy: b.requested_by,
        windows,
      });
      // fewer windows than room: none is left without a trigger up to the end
      nextWindow =
        windows.length < room ? b.total : (windows.at(-1)?.n ?? b.total) + 1;
    }
    const done = nextWindow >= b.total && unfinished + created === 0;
    if (nextWindow !== b.next_window || done) {
      await advanceBackfill(trx, {
        id: b.id,
        nextWindow,
        existingAdded: nextWindow - b.next_window - created,
        done,
      });
    }
    return { locked: true, created, done };
  });
}

/** One pass over the running backfills, each in its own transaction (topUpBackfill). */
export async function runBackfillPass(o: {
  db: Db;
  logger: Logger;
  signal?: AbortSignal;
}): Promise<BackfillPassStats> {
  const stats: BackfillPassStats = { backfills: 0, triggers: 0, done: 0 };
  for (const id of await listRunningBackfillIds(o.db, PASS_LIMIT)) {
    if (o.signal?.aborted) {
      break;
    }
    const r = await topUpBackfill(o.db, id);
    stats.backfills += 1;
    stats.triggers += r.created;
    if (r.done) {
      stats.done += 1;
      o.logger.info({ backfillId: id }, "backfill done");
    }
  }
  return stats;
}
