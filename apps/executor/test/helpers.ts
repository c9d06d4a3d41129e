import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { chmod, mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import type { Db } from "@vigil/db";
import { waitFor } from "@vigil/db/testing";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));

export interface ExecutorProcess {
  child: ChildProcess;
  pid: number;
  workerId: string;
  /** Every JSON log line so far (for assertions and for debugging a failure). */
  logs: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  signal(sig: NodeJS.Signals): void;
}

let counter = 0;
const started = new Set<ExecutorProcess>();

/** A fresh WORK_DIR that the sandbox uid (65534 when run as root) can read. */
export async function makeWorkDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "vigil-exec-test-"));
  await chmod(dir, 0o755);
  return dir;
}

/**
 * Spawns `node apps/executor/dist/main.js` (built by `npm test` / turbo) with an environment
 * built from nothing but what the test gives, like production would.
 */
export function startExecutor(
  databaseUrl: string,
  env: Record<string, string> = {},
  /** Run it as this uid (and gid), through setpriv: a non-root executor. */
  asUid?: number,
): ExecutorProcess {
  const workerId = `exec-test-${process.pid}-${++counter}`;
  const [file, args] =
    asUid === undefined
      ? [process.execPath, [MAIN]]
      : [
          "/usr/bin/setpriv",
          [
            `--reuid=${asUid}`,
            `--regid=${asUid}`,
            "--clear-groups",
            "--",
            process.execPath,
            MAIN,
          ],
        ];
  const child = spawn(file, args, {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      DATABASE_URL: databaseUrl,
      // replicas in one test, and test files in parallel, each need a port of their own
      METRICS_PORT: "0",
      WORKER_ID: workerId,
      LOG_LEVEL: "info",
      EXECUTOR_CONCURRENCY: "4",
      LEASE_SECONDS: "5",
      POLL_INTERVAL_MS: "500",
      EXECUTOR_SHUTDOWN_GRACE_SECONDS: "5",
      RETRY_BACKOFF_BASE_MS: "200",
      RETRY_BACKOFF_MAX_MS: "2000",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  const collect = (chunk: Buffer) =>
    logs.push(...chunk.toString("utf8").split("\n").filter(Boolean));
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = once(child, "exit").then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  const proc: ExecutorProcess = {
    child,
    pid: child.pid ?? -1,
    workerId,
    logs,
    exited,
    signal: (sig) => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(sig);
      }
    },
  };
  started.add(proc);
  void exited.then(() => started.delete(proc));
  return proc;
}

/** Kills (by pid) every executor this test file started that is still alive. */
export async function killStartedExecutors(): Promise<void> {
  const alive = [...started];
  for (const p of alive) {
    p.signal("SIGCONT");
    p.signal("SIGKILL");
  }
  await Promise.all(alive.map((p) => p.exited));
}

/**
 * Pids of live processes whose command line mentions `needle` (e.g. a run folder), except
 * bubblewrap's own two processes around a detector, whose command lines name the folders they
 * bind: a detector counts once.
 */
export async function processesMentioning(needle: string): Promise<number[]> {
  const { readdir, readFile } = await import("node:fs/promises");
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) {
      continue;
    }
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(
      () => "",
    );
    const comm = await readFile(`/proc/${entry}/comm`, "utf8").catch(() => "");
    if (cmdline.includes(needle) && comm.trim() !== "bwrap") {
      pids.push(Number(entry));
    }
  }
  return pids;
}

/**
 * Detector processes running a run of `projectId`: a detector runs in an executor slot
 * (`WORK_DIR/.slots/<uid>`), whose run folder holds the run's context.json while it runs.
 */
export async function runningDetectors(
  workDir: string,
  projectId: string,
): Promise<number[]> {
  const { readdir, readFile } = await import("node:fs/promises");
  const slotsDir = `${workDir}/.slots`;
  const pids: number[] = [];
  for (const slot of await readdir(slotsDir).catch(() => [] as string[])) {
    const context = await readFile(
      `${slotsDir}/${slot}/run/context.json`,
      "utf8",
    ).then(
      (text) => JSON.parse(text) as { projectId?: string },
      () => null,
    );
    if (context?.projectId === projectId) {
      pids.push(...(await processesMentioning(`${slotsDir}/${slot}/run`)));
    }
  }
  return pids;
}

/**
 * Slots holding more than one process. Each used slot keeps one standby (booted for its next
 * run) or its running detector; a second process means a detector outlived its run.
 */
export async function slotsWithLeftovers(workDir: string): Promise<string[]> {
  const { readdir } = await import("node:fs/promises");
  const slotsDir = `${workDir}/.slots`;
  const crowded: string[] = [];
  for (const slot of await readdir(slotsDir).catch(() => [] as string[])) {
    if ((await processesMentioning(`${slotsDir}/${slot}/run`)).length > 1) {
      crowded.push(slot);
    }
  }
  return crowded;
}

export async function triggerStatuses(
  db: Db,
  projectId: string,
): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom("triggers")
    .select(["status"])
    .where("project_id", "=", projectId)
    .execute();
  const counts: Record<string, number> = {};
  for (const r of rows) {
    counts[r.status] = (counts[r.status] ?? 0) + 1;
  }
  return counts;
}

export const secondsFromNow = (s: number) => new Date(Date.now() + s * 1000);

/** Uploads `rows` as the project's latest `manual` dataset. */
export async function uploadRows(
  db: Db,
  projectId: string,
  rows: object[],
): Promise<void> {
  const text = JSON.stringify(rows);
  await db
    .insertInto("datasets")
    .values({
      project_id: projectId,
      format: "json",
      rows: text,
      row_count: rows.length,
      size_bytes: text.length,
      sha256: "0".repeat(64),
    })
    .execute();
}

/** Waits until the trigger's execution is no longer running and returns it. */
export function finishedExecution(db: Db, triggerId: number) {
  return waitFor(
    () =>
      db
        .selectFrom("executions")
        .selectAll()
        .where("trigger_id", "=", triggerId)
        .where("status", "!=", "running")
        .executeTakeFirst(),
    { timeoutMs: 20_000, message: "the execution finished" },
  );
}
