import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

import { WORKER_LOCK_SETTLE_MS } from "@vigil/db";
import { sql } from "kysely";

import { sleep } from "./postgres.js";
import { insertDue, prepare } from "./vigil.js";

const MAIN = fileURLToPath(
  new URL("../../apps/executor/dist/main.js", import.meta.url),
);

/** A run long enough that only its worker's death ends it. */
const RUN_MS = 600_000;

let spawned = 0;

/** A real executor process with default settings (lease, rescue interval, poll); its runs never end by themselves. */
function startExecutor(url: string): { child: ChildProcess; workerId: string } {
  const workerId = `bench-rescue-${process.pid}-${++spawned}`;
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      DATABASE_URL: url,
      WORKER_ID: workerId,
      METRICS_PORT: "0",
      EXECUTOR_RUNNER: "noop",
      EXECUTOR_NOOP_DELAY_MS: String(RUN_MS),
      EXECUTOR_CONCURRENCY: "4",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  return { child, workerId };
}

async function kill(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill(signal);
    await once(child, "exit");
  }
}

/** Polls until `probe` answers, every 5 ms (the figure's resolution). */
async function until<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) {
      return found;
    }
    if (Date.now() > end) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(5);
  }
}

export interface RescueFigures {
  /** kill -9 of the run's worker -> the run's next execution started on another replica (ms). */
  rescueMs: number[];
  /** a due trigger inserted -> its execution started, on the same pool (ms): the floor. */
  startMs: number[];
}

/**
 * Rescue latency after kill -9, default settings: two executors, settled; each round inserts one
 * due trigger, waits for its run, kills its worker with SIGKILL, and times (on this machine's
 * clock, which the embedded PostgreSQL shares) until the run's next execution started elsewhere.
 * The killed executor is replaced and the replacement settles before the next round. The
 * start latency of each round's trigger on the same pool is the baseline.
 */
export async function measureRescueLatency(
  url: string,
  rounds: number,
): Promise<RescueFigures> {
  const { db, close, projectId } = await prepare(url);
  const pool = new Map<string, ChildProcess>();
  const add = () => {
    const e = startExecutor(url);
    pool.set(e.workerId, e.child);
  };
  add();
  add();
  const figures: RescueFigures = { rescueMs: [], startMs: [] };
  try {
    await sleep(1000 + WORKER_LOCK_SETTLE_MS + 200);
    for (let round = 0; round < rounds; round++) {
      const insertedAt = Date.now();
      await insertDue(db, projectId, 1, () => new Date());
      const { rows: ids } = await sql<{ id: string }>`
        SELECT max(id) AS id FROM triggers`.execute(db);
      const triggerId = ids[0]!.id;
      const first = await until(
        async () => {
          const { rows } = await sql<{
            trigger_id: string;
            worker_id: string;
            started_at: Date;
          }>`
            SELECT trigger_id, worker_id, started_at FROM executions
            WHERE trigger_id = ${triggerId} AND status = 'running'`.execute(db);
          return rows[0];
        },
        10_000,
        "the run to start",
      );
      figures.startMs.push(
        Math.max(0, new Date(first.started_at).getTime() - insertedAt),
      );
      const victim = pool.get(first.worker_id);
      if (!victim) {
        throw new Error(`run claimed by unknown worker ${first.worker_id}`);
      }
      const killedAt = Date.now();
      await kill(victim, "SIGKILL");
      pool.delete(first.worker_id);
      const rerun = await until(
        async () => {
          const { rows } = await sql<{ started_at: Date }>`
            SELECT started_at FROM executions
            WHERE trigger_id = ${first.trigger_id} AND worker_id <> ${first.worker_id}
            ORDER BY id LIMIT 1`.execute(db);
          return rows[0];
        },
        60_000,
        "the run to start again",
      );
      figures.rescueMs.push(new Date(rerun.started_at).getTime() - killedAt);
      // end the round's run so the survivor's slot frees at its next lease check
      await sql`UPDATE executions SET status = 'cancelled', finished_at = now()
                WHERE trigger_id = ${first.trigger_id} AND status = 'running'`.execute(
        db,
      );
      await sql`UPDATE triggers SET status = 'cancelled', finished_at = now(), lease_expires_at = NULL
                WHERE id = ${first.trigger_id}`.execute(db);
      add();
      await sleep(1000 + WORKER_LOCK_SETTLE_MS + 200);
    }
  } finally {
    await Promise.all([...pool.values()].map((c) => kill(c, "SIGKILL")));
    await close();
  }
  return figures;
}
