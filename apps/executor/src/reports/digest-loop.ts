import { isoDurationToMs, ProjectConfigSchema } from "@vigil/contracts";
import { listDigestProjects, type Db } from "@vigil/db";
import { coerceError, type Logger } from "@vigil/logger";

import { enqueueDigestIfDue } from "./enqueue-digest.js";
import type { ReportSettings } from "./enqueue-report.js";
import { createWakeup } from "./wakeup.js";

export interface DigestLoopDeps {
  db: Db;
  logger: Logger;
  settings: ReportSettings;
  /** Longest sleep between two looks at the digest projects. @default 60000 */
  maxSleepMs?: number;
  /** @default () => new Date() */
  now?: () => Date;
}

export interface DigestLoop {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** One pass over the digest projects (what each wake-up does); returns how many were enqueued. */
  flushOnce(): Promise<number>;
}

/**
 * Flushes digests whose interval has passed while no run of the project came to carry them (a
 * run's own record transaction enqueues a due digest itself). Every executor runs one: the
 * digest row's lock and its progress make a second flusher find nothing to do, so no leader is
 * needed. Sleeps until the next waiting digest is due, at most `maxSleepMs`.
 */
export function createDigestLoop(deps: DigestLoopDeps): DigestLoop {
  const logger = deps.logger.child({ component: "report-digest" });
  const maxSleepMs = deps.maxSleepMs ?? 60_000;
  const now = deps.now ?? (() => new Date());
  const wakeup = createWakeup();
  let stopped = false;
  let loop: Promise<void> | undefined;
  let nextSleepMs = maxSleepMs;

  const flushOnce = async (): Promise<number> => {
    let enqueued = 0;
    let sleep = maxSleepMs;
    for (const p of await listDigestProjects(deps.db)) {
      const intervalMs = isoDurationToMs(p.digest);
      const config = ProjectConfigSchema.safeParse(p.config);
      if (!p.waiting || intervalMs === undefined || !config.success) {
        continue;
      }
      const dueInMs =
        p.lastSentAt === null
          ? 0
          : p.lastSentAt.getTime() + intervalMs - now().getTime();
      if (dueInMs > 0) {
        sleep = Math.min(sleep, dueInMs);
        continue;
      }
      const decision = await deps.db.transaction().execute((trx) =>
        enqueueDigestIfDue(trx, {
          project: { id: p.projectId, name: p.name, config: config.data },
          settings: deps.settings,
          now: now(),
        }),
      );
      if (decision === "enqueued") {
        enqueued += 1;
        logger.debug({ projectId: p.projectId }, "digest enqueued");
      }
    }
    nextSleepMs = Math.max(50, sleep);
    return enqueued;
  };

  const run = async () => {
    while (!stopped) {
      try {
        await flushOnce();
      } catch (raw) {
        nextSleepMs = maxSleepMs;
        logger.error({ err: coerceError(raw) }, "digest flush failed");
      }
      if (!stopped) {
        await wakeup.wait(nextSleepMs);
      }
    }
  };

  return {
    flushOnce,
    start() {
      loop = run();
      return Promise.resolve();
    },
    async stop() {
      stopped = true;
      wakeup.wake();
      await loop;
    },
  };
}
