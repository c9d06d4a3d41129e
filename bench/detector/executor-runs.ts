import { spawn, type ChildProcess } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { createDb, toJson, type Db } from "@vigil/db";

import { median, percentile } from "./floor.js";
import { BENCH_ROWS, BENCH_RULE_CODE } from "./workload.js";

const MAIN = fileURLToPath(
  new URL("../../apps/executor/dist/main.js", import.meta.url),
);

export interface BatchFigures {
  executions: number;
  /** executions.finished_at - started_at: from the claim's transaction to the recorded result. */
  medianMs: number;
  p90Ms: number;
  /** executions / (last finished_at - first started_at). */
  perSecond: number;
}

export interface RunningExecutor {
  db: Db;
  stop(): Promise<void>;
}

let projectCounter = 0;

/** A real executor process (apps/executor/dist/main.js), as production runs it, once it is claiming. */
export async function startExecutorProcess(
  databaseUrl: string,
  concurrency: number,
  {
    prestart = true,
    env = {},
  }: { prestart?: boolean; env?: Record<string, string> } = {},
): Promise<RunningExecutor> {
  const workDir = await mkdtemp(
    path.join(os.tmpdir(), "vigil-bench-detector-work-"),
  );
  await chmod(workDir, 0o755);
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      DATABASE_URL: databaseUrl,
      WORK_DIR: workDir,
      EXECUTOR_CONCURRENCY: String(concurrency),
      DETECTOR_PRESTART: String(prestart),
      LOG_LEVEL: "warn",
      POLL_INTERVAL_MS: "1000",
      ...env,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on(
    "data",
    (c: Buffer) => void (stderr = (stderr + c.toString("utf8")).slice(-4000)),
  );
  const handle = createDb({
    connectionString: databaseUrl,
    max: 4,
    applicationName: "vigil-bench-detector",
  });
  await waitUntil(async () => {
    if (child.exitCode !== null) {
      throw new Error(`the executor exited with ${child.exitCode}: ${stderr}`);
    }
    const row = await handle.db
      .selectFrom("workers")
      .select("id")
      .where("app", "=", "executor")
      .where("stopped_at", "is", null)
      .executeTakeFirst();
    return row !== undefined;
  }, 20_000);
  return {
    db: handle.db,
    stop: async () => {
      await stopChild(child);
      await handle.close();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/** A project with the one-rule detector and its 100 rows uploaded; `variant` changes the code (a new hash). */
export async function createBenchProject(
  db: Db,
  o: { maxConcurrency: number; variant?: string },
): Promise<string> {
  const id = `bench-${process.pid}-${++projectCounter}`;
  await db
    .insertInto("projects")
    .values({
      id,
      name: id,
      config: toJson({
        data_source: { type: "manual" },
        max_concurrency: o.maxConcurrency,
        timeout_seconds: 60,
        memory_mb: 256,
      }),
    })
    .execute();
  const code = o.variant
    ? `${BENCH_RULE_CODE}\n// ${o.variant}`
    : BENCH_RULE_CODE;
  await db
    .insertInto("rules")
    .values({
      project_id: id,
      rule_id: "paid-matches-total",
      code,
      severity: "high",
      parameters: toJson({ tolerance: 0.5 }),
    })
    .execute();
  const text = JSON.stringify(BENCH_ROWS);
  await db
    .insertInto("datasets")
    .values({
      project_id: id,
      format: "json",
      rows: text,
      row_count: BENCH_ROWS.length,
      size_bytes: text.length,
      sha256: "0".repeat(64),
    })
    .execute();
  return id;
}

/** Queues one trigger and waits for its recorded execution; returns finished_at - started_at (ms). */
export async function runOne(db: Db, projectId: string): Promise<number> {
  return (await runOneTimed(db, projectId)).claimToRecordMs;
}

/**
 * Queues one trigger and waits for its recorded execution: claim to recorded result
 * (`finished_at - started_at`), and queued to recorded (`finished_at - triggers.created_at`, the
 * wait for a claim included), both by the database clock.
 */
export async function runOneTimed(
  db: Db,
  projectId: string,
): Promise<{ claimToRecordMs: number; queuedToRecordMs: number }> {
  const now = new Date(Date.now() - 100);
  const [trigger] = await db
    .insertInto("triggers")
    .values({
      project_id: projectId,
      source: "manual",
      fire_at: now,
      available_at: now,
    })
    .returning(["id", "created_at"])
    .execute();
  const row = await waitUntil(
    () =>
      db
        .selectFrom("executions")
        .select(["status", "started_at", "finished_at", "error_message"])
        .where("trigger_id", "=", trigger!.id)
        .where("finished_at", "is not", null)
        .executeTakeFirst(),
    60_000,
    // gently: a tight poll would compete with the executor and PostgreSQL for the two cores
    25,
  );
  if (row.status !== "success") {
    throw new Error(
      `an execution did not succeed: ${row.status} ${row.error_message}`,
    );
  }
  return {
    claimToRecordMs: row.finished_at!.getTime() - row.started_at!.getTime(),
    queuedToRecordMs:
      row.finished_at!.getTime() - trigger!.created_at.getTime(),
  };
}

/** Queues `perProject` triggers for each project at once and waits until every execution is recorded. */
export async function runBatch(
  db: Db,
  projectIds: string[],
  perProject: number,
): Promise<BatchFigures> {
  const now = new Date(Date.now() - 100);
  const triggers = await db
    .insertInto("triggers")
    .values(
      projectIds.flatMap((projectId) =>
        Array.from({ length: perProject }, () => ({
          project_id: projectId,
          source: "manual" as const,
          fire_at: now,
          available_at: now,
        })),
      ),
    )
    .returning("id")
    .execute();
  const ids = triggers.map((t) => t.id);
  const rows = await waitUntil(async () => {
    const done = await db
      .selectFrom("executions")
      .select(["status", "started_at", "finished_at", "error_message"])
      .where("trigger_id", "in", ids)
      .where("finished_at", "is not", null)
      .execute();
    return done.length === ids.length ? done : undefined;
  }, 300_000);
  const failed = rows.find((r) => r.status !== "success");
  if (failed) {
    throw new Error(
      `an execution did not succeed: ${failed.status} ${failed.error_message}`,
    );
  }
  const durations = rows.map(
    (r) => r.finished_at!.getTime() - r.started_at!.getTime(),
  );
  const first = Math.min(...rows.map((r) => r.started_at!.getTime()));
  const last = Math.max(...rows.map((r) => r.finished_at!.getTime()));
  return {
    executions: rows.length,
    medianMs: median(durations),
    p90Ms: percentile(durations, 0.9),
    perSecond: rows.length / ((last - first) / 1000),
  };
}

async function waitUntil<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs: number,
  intervalMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}
