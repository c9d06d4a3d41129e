import {
  Logger,
  makeWorkerUtils,
  run,
  runMigrations,
  type Job,
} from "graphile-worker";
import pg from "pg";

import { sleep } from "./postgres.js";

const silent = new Logger(() => () => undefined);

/** Our own pool, with error listeners, so the server stopping at the end cannot crash the bench. */
function makePool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
  return pool;
}

async function addJobs(
  url: string,
  count: number,
  runAt: (i: number) => Date,
): Promise<void> {
  const pgPool = makePool(url, 2);
  const utils = await makeWorkerUtils({ pgPool, logger: silent });
  try {
    for (let i = 0; i < count; i += 1000) {
      await utils.addJobs(
        Array.from({ length: Math.min(1000, count - i) }, (_, j) => ({
          identifier: "noop",
          payload: {},
          runAt: runAt(i + j),
        })),
      );
    }
  } finally {
    await utils.release();
    await pgPool.end();
  }
}

async function waitUntilEmpty(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    for (;;) {
      const { rows } = await c.query<{ busy: boolean }>(
        "SELECT EXISTS (SELECT 1 FROM graphile_worker._private_jobs) AS busy",
      );
      if (!rows[0]?.busy) {
        return;
      }
      await sleep(10);
    }
  } finally {
    await c.end();
  }
}

/**
 * graphile-worker 0.17 on the same server: `jobs` no-op jobs, `concurrency` workers, batching off
 * (defaults) or on (`localQueue` + `completeJobBatchDelay: 0`). Time = first task start to "no job
 * row left" (polled every 10 ms), so completions are committed as they are for Vigil.
 */
export async function measureGraphileThroughput(
  url: string,
  jobs: number,
  concurrency: number,
  batched: boolean,
): Promise<{ jobsPerSecond: number; seconds: number }> {
  const pgPool = makePool(url, concurrency + 2);
  await runMigrations({ pgPool, logger: silent });
  await addJobs(url, jobs, () => new Date(Date.now() - 1000));
  let first: number | undefined;
  const runner = await run({
    pgPool,
    concurrency,
    noHandleSignals: true,
    logger: silent,
    taskList: {
      noop: async () => {
        first ??= performance.now();
      },
    },
    preset: {
      worker: batched
        ? {
            localQueue: { size: 500 },
            completeJobBatchDelay: 0,
            failJobBatchDelay: 0,
          }
        : {},
    },
  });
  await waitUntilEmpty(url);
  const end = performance.now();
  await runner.stop();
  await pgPool.end();
  const seconds = (end - (first ?? end)) / 1000;
  return { jobsPerSecond: jobs / seconds, seconds };
}

/** Start latency (task start - run_at) of `count` jobs added ahead of time, spread over `spreadMs`, default poll. */
export async function measureGraphileLatency(
  url: string,
  count: number,
  spreadMs: number,
): Promise<number[]> {
  const pgPool = makePool(url, 12);
  await runMigrations({ pgPool, logger: silent });
  const lags: number[] = [];
  const runner = await run({
    pgPool,
    concurrency: 10,
    noHandleSignals: true,
    logger: silent,
    taskList: {
      noop: async (_payload: unknown, helpers: { job: Job }) => {
        lags.push(Date.now() - helpers.job.run_at.getTime());
      },
    },
  });
  await sleep(1000);
  const start = Date.now() + 1000;
  await addJobs(
    url,
    count,
    (i) => new Date(start + Math.round((i * spreadMs) / count)),
  );
  await sleep(spreadMs + 1000);
  await waitUntilEmpty(url);
  await runner.stop();
  await pgPool.end();
  return lags.sort((a, b) => a - b);
}
