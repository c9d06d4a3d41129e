import {
  AlertConfigSchema,
  alertChannels,
  perChannel,
  buildWatchdogAlertBody,
  ProjectConfigSchema,
} from "@vigil/contracts";
import {
  closeWatchdogEpisodes,
  describeScheduleSilence,
  enqueueOutboxEntry,
  listWatchdogEpisodesToAlert,
  listWatchedSchedules,
  markWatchdogEpisodeAlerted,
  openWatchdogEpisodes,
  readDatabaseTime,
  type Db,
  type SilentSchedule,
  type WatchdogReason,
} from "@vigil/db";
import { coerceError, type Logger } from "@vigil/logger";

import { classifySilence, expectedFireTime } from "./plan-watchdog.js";

/** A project without a numeric `timeout_seconds` gets the contract's default. */
const DEFAULT_TIMEOUT_SECONDS: number =
  ProjectConfigSchema.shape.timeout_seconds.parse(undefined);
/** Alerts queued per pass; the rest wait for the next pass. */
const ALERTS_PER_PASS = 500;

export interface WatchdogOptions {
  /** Added to each project's `timeout_seconds`: how long after a fire time its run may finish. */
  graceSeconds: number;
  /** Schedules read per statement. @default 1000 */
  batchSize?: number;
  /** Delivery attempts of a watchdog alert (REPORT_MAX_ATTEMPTS' default). @default 10 */
  alertMaxAttempts?: number;
}

export interface WatchdogPassStats {
  now: Date;
  watched: number;
  opened: number;
  /** Open episodes whose reason or detail changed. */
  updated: number;
  closed: number;
  alerted: number;
  openedByReason: Partial<Record<WatchdogReason, number>>;
}

/**
 * One watchdog pass (docs/operations.md, "Watchdog"): close the episodes whose silence ended,
 * open (or refresh) one for each active schedule with no run finished since its expected fire
 * time, once that fire time plus the project's timeout plus the grace has passed, then queue one alert per new episode
 * of a project with an `alert` config. Every write is idempotent: a second watchdog (two
 * leaders for a moment) opens nothing twice and alerts nothing twice.
 */
export async function runWatchdogPass({
  db,
  logger,
  options,
}: {
  db: Db;
  logger: Logger;
  options: WatchdogOptions;
}): Promise<WatchdogPassStats> {
  const now = await readDatabaseTime(db);
  const closed = await closeWatchdogEpisodes(db);
  for (const c of closed) {
    logger.info(
      {
        episodeId: c.id,
        projectId: c.project_id,
        scheduleId: c.schedule_id,
        closeReason: c.close_reason,
      },
      "watchdog episode closed",
    );
  }
  const stats: WatchdogPassStats = {
    now,
    watched: 0,
    opened: 0,
    updated: 0,
    closed: closed.length,
    alerted: 0,
    openedByReason: {},
  };
  const limit = options.batchSize ?? 1000;
  let afterId = 0;
  for (;;) {
    const batch = await listWatchedSchedules(db, { afterId, limit });
    if (batch.length === 0) {
      break;
    }
    afterId = batch[batch.length - 1]!.schedule_id;
    stats.watched += batch.length;
    const expected = new Map<number, SilentSchedule>();
    for (const s of batch) {
      const deadlineSeconds =
        (s.timeout_seconds ?? DEFAULT_TIMEOUT_SECONDS) + options.graceSeconds;
      let expectedAt: Date | null;
      try {
        expectedAt = expectedFireTime({
          cron: s.cron_expression,
          timezone: s.timezone,
          since: s.watched_since,
          until: new Date(now.getTime() - deadlineSeconds * 1000),
        });
      } catch {
        // an expression the creator cannot plan is reported there (invalid_reason)
        continue;
      }
      if (
        expectedAt === null ||
        (s.last_finished_at !== null && s.last_finished_at >= expectedAt)
      ) {
        continue;
      }
      expected.set(s.schedule_id, {
        projectId: s.project_id,
        scheduleId: s.schedule_id,
        expectedAt,
        lastFinishedAt: s.last_finished_at,
        reason: "missed",
        detail: "",
      });
    }
    const silences = await describeScheduleSilence(db, [...expected.values()]);
    for (const silence of silences) {
      const entry = expected.get(silence.schedule_id);
      if (entry !== undefined) {
        Object.assign(
          entry,
          classifySilence(silence, { expectedAt: entry.expectedAt }),
        );
      }
    }
    const written = await openWatchdogEpisodes(db, [...expected.values()]);
    for (const w of written) {
      if (w.opened) {
        stats.opened += 1;
        stats.openedByReason[w.reason] =
          (stats.openedByReason[w.reason] ?? 0) + 1;
        const e = expected.get(w.schedule_id);
        logger.warn(
          {
            episodeId: w.id,
            projectId: e?.projectId,
            scheduleId: w.schedule_id,
            expectedAt: e?.expectedAt.toISOString(),
            reason: w.reason,
            detail: e?.detail,
          },
          "watchdog episode opened",
        );
      } else {
        stats.updated += 1;
      }
    }
    if (batch.length < limit) {
      break;
    }
  }
  stats.alerted = await queueAlerts(db, logger, options.alertMaxAttempts ?? 10);
  return stats;
}

/** One alert per open, not yet alerted episode of a project with an `alert` config. */
async function queueAlerts(
  db: Db,
  logger: Logger,
  maxAttempts: number,
): Promise<number> {
  const episodes = await listWatchdogEpisodesToAlert(db, {
    limit: ALERTS_PER_PASS,
  });
  let alerted = 0;
  for (const e of episodes) {
    const alert = AlertConfigSchema.safeParse(e.alert);
    const channels = ProjectConfigSchema.shape.channels.safeParse(
      e.channels ?? undefined,
    );
    if (!alert.success || !channels.success) {
      // projects are validated on write; a row written past the API stays unalerted (debug:
      // this repeats every pass)
      logger.debug(
        { episodeId: e.id, projectId: e.project_id },
        "watchdog alert skipped: the project's alert config is invalid",
      );
      continue;
    }
    try {
      const queued = await db.transaction().execute(async (trx) => {
        if (!(await markWatchdogEpisodeAlerted(trx, e.id))) {
          return false;
        }
        for (const entry of perChannel(
          alertChannels({ alert: alert.data, channels: channels.data }),
          {
            projectId: e.project_id,
            executionId: null,
            kind: "alert",
            idempotencyKey: `watchdog:${e.id}`,
            payload: buildWatchdogAlertBody({
              projectId: e.project_id,
              projectName: e.project_name,
              scheduleId: e.schedule_id,
              cronExpression: e.cron_expression,
              timezone: e.timezone,
              expectedAt: e.expected_at,
              reason: e.reason,
              detail: e.detail,
            }),
            maxAttempts,
          },
        )) {
          await enqueueOutboxEntry(trx, entry);
        }
        return true;
      });
      if (queued) {
        alerted += 1;
      }
    } catch (raw) {
      logger.error(
        { err: coerceError(raw), episodeId: e.id, projectId: e.project_id },
        "watchdog alert could not be queued; next pass tries again",
      );
    }
  }
  return alerted;
}
