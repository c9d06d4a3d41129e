import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

import { createDb, migrateToLatest, toJson, type Db } from "@vigil/db";
import { sql } from "kysely";

import { percentile, sleep } from "./postgres.js";

const MAIN = fileURLToPath(
  new URL("../../apps/executor/dist/main.js", import.meta.url),
);

/** The real executor process with the no-op runner: claim -> (nothing) -> record, as production does otherwise. */
function startExecutor(url: string, concurrency: number): ChildProcess {
  return spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      DATABASE_URL: url,
      EXECUTOR_RUNNER: "noop",
      EXECUTOR_CONCURRENCY: String(concurrency),
      // one connection per slot plus the claim loop and the lease keeper
      DATABASE_POOL_SIZE: String(concurrency + 2),
      LEASE_SECONDS: "60",
      POLL_INTERVAL_MS: "2000",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
}

async function stopExecutor(child: ChildProcess): Promise<void> {
  if (child.exitCode === null) {
    child.kill("SIGTERM");
    await once(child, "exit");
  }
}

export async function prepare(
  url: string,
): Promise<{ db: Db; close(): Promise<void>; projectId: string }> {
  const handle = createDb({
    connectionString: url,
    max: 2,
    applicationName: "vigil-bench-executor",
  });
  const { error } = await migrateToLatest(handle.db);
  if (error) {
    throw error;
  }
  const projectId = "bench";
  await handle.db
    .insertInto("projects")
    .values({
      id: projectId,
      name: projectId,
      config: toJson({
        data_source: { type: "manual" },
        max_concurrency: 1000,
      }),
    })
    .execute();
  return { db: handle.db, close: () => handle.close(), projectId };
}

export async function insertDue(
  db: Db,
  projectId: string,
  count: number,
  fireAt: (i: number) => Date,
): Promise<void> {
  for (let i = 0; i < count; i += 5000) {
    const rows = Array.from({ length: Math.min(5000, count - i) }, (_, j) => {
      const at = fireAt(i + j);
      return {
        project_id: projectId,
        fire_at: at,
        available_at: at,
        source: "manual" as const,
        concurrency_policy: "allow" as const,
      };
    });
    await db.insertInto("triggers").values(rows).execute();
  }
}

async function waitUntilDone(db: Db, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`the executor exited with ${child.exitCode}`);
    }
    const { rows } = await sql<{ busy: boolean }>`
      SELECT EXISTS (SELECT 1 FROM triggers WHERE status IN ('pending', 'running')) AS busy`.execute(
      db,
    );
    if (!rows[0]?.busy) {
      return;
    }
    await sleep(20);
  }
}

/**
 * Dispatch throughput: `jobs` due triggers, one executor process with the no-op runner.
 * Time = first execution's started_at (the claim) to the last one's finished_at (the record),
 * both on the database clock; every trigger gets a claimed trigger + execution row + finish.
 */
export async function measureVigilThroughput(
  url: string,
  jobs: number,
  concurrency: number,
): Promise<{ jobsPerSecond: number; seconds: number }> {
  const { db, close, projectId } = await prepare(url);
  const due = new Date(Date.now() - 1000);
  await insertDue(db, projectId, jobs, () => due);
  await sql`VACUUM ANALYZE triggers`.execute(db);
  const child = startExecutor(url, concurrency);
  await waitUntilDone(db, child);
  await stopExecutor(child);
  const { rows } = await sql<{ n: number; seconds: number; ok: number }>`
    SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'success')::int AS ok,
           extract(epoch FROM max(finished_at) - min(started_at))::float8 AS seconds
    FROM executions`.execute(db);
  await close();
  const r = rows[0]!;
  if (r.n !== jobs || r.ok !== jobs) {
    throw new Error(
      `expected ${jobs} successful executions, found ${r.ok} of ${r.n}`,
    );
  }
  return { jobsPerSecond: jobs / r.seconds, seconds: r.seconds };
}

/** Start latency (started_at - fire_at) of `count` triggers created ahead of time, spread over `spreadMs`, idle pool. */
export async function measureVigilLatency(
  url: string,
  count: number,
  spreadMs: number,
): Promise<number[]> {
  const { db, close, projectId } = await prepare(url);
  const child = startExecutor(url, 10);
  await sleep(1000); // idle, listening
  const start = Date.now() + 1000;
  await insertDue(
    db,
    projectId,
    count,
    (i) => new Date(start + Math.round((i * spreadMs) / count)),
  );
  await sleep(spreadMs + 1000);
  await waitUntilDone(db, child);
  await stopExecutor(child);
  const { rows } = await sql<{ lag: number }>`
    SELECT extract(epoch FROM e.started_at - t.fire_at)::float8 * 1000 AS lag
    FROM executions e JOIN triggers t ON t.id = e.trigger_id ORDER BY 1`.execute(
    db,
  );
  await close();
  return rows.map((r) => r.lag);
}

export { percentile };
