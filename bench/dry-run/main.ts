/**
 * bench/dry-run: p50/p99 of `POST /projects/demo-orders/dry-run` over HTTP against a real API
 * process, versus the same detector run by a real executor process (claim to recorded result,
 * `executions.finished_at - started_at`), measured in the same run, alternating sample for
 * sample. Prints a table and, last, `RESULT {json}`. See README.md.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

import {
  runOneTimed,
  startExecutorProcess,
} from "../detector/executor-runs.js";
import { median, percentile, timeInterleaved } from "../detector/floor.js";
import { startBenchDatabase } from "../detector/postgres.js";
import { startApiProcess } from "../_shared/api-process.js";

const arg = (name: string, fallback: number) =>
  Number(
    process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ??
      fallback,
  );
const N = arg("runs", 30);
const log = (line: string) => console.error(`[bench/dry-run] ${line}`);
const TOKEN = "bench-dry-run-token-aaaaaaaaaaaa";
const PROJECT = "demo-orders";
const CLI = fileURLToPath(
  new URL("../../apps/cli/dist/main.js", import.meta.url),
);
/**
 * Idle time after each sample (untimed): both the executor and the API boot a standby detector
 * after a run, which must not compete with the next sample on this 2-core machine.
 */
const IDLE_MS = 400;
const idle = () => new Promise((resolve) => setTimeout(resolve, IDLE_MS));

const database = await startBenchDatabase(log);
try {
  execFileSync(process.execPath, [CLI, "seed-demo"], {
    env: { PATH: process.env.PATH, DATABASE_URL: database.url },
    stdio: ["ignore", "ignore", "inherit"],
  });
  // the demo's source is the demo schema of the same database, as under `npm start`
  const demoEnv = { VIGIL_SECRET_DEMO_DB_URL: database.url };
  const executor = await startExecutorProcess(database.url, 1, {
    env: demoEnv,
  });
  // no secret: the executor reads the source and runs the dry runs
  const api = await startApiProcess(database.url, { token: TOKEN, env: {} });
  const serverMs: number[] = [];
  const queuedMs: number[] = [];
  try {
    const dryRun = async () => {
      const started = performance.now();
      const res = await fetch(`${api.url}/projects/${PROJECT}/dry-run`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${TOKEN}`,
          "content-type": "application/json",
        },
        body: "{}",
      });
      const body = (await res.json()) as {
        outcome?: { kind: string; message: string | null };
        findings?: unknown[];
        duration_ms?: number;
      };
      const ms = performance.now() - started;
      if (res.status !== 200 || body.outcome?.kind !== "succeeded") {
        throw new Error(
          `a dry run did not succeed: ${res.status} ${JSON.stringify(body).slice(0, 500)}`,
        );
      }
      serverMs.push(body.duration_ms ?? NaN);
      await idle();
      return ms;
    };
    const executed = async () => {
      const { claimToRecordMs, queuedToRecordMs } = await runOneTimed(
        executor.db,
        PROJECT,
      );
      queuedMs.push(queuedToRecordMs);
      await idle();
      return claimToRecordMs;
    };
    log(`${N} executor runs and ${N} dry runs of ${PROJECT}, alternating`);
    const [runs = [], dry = []] = await timeInterleaved([executed, dryRun], N);
    const figures = {
      executor: { p50: median(runs), p99: percentile(runs, 0.99) },
      dryRun: { p50: median(dry), p99: percentile(dry, 0.99) },
      executorQueued: {
        p50: median(queuedMs.slice(-N)),
        p99: percentile(queuedMs.slice(-N), 0.99),
      },
      dryRunServer: {
        p50: median(serverMs.slice(-N)),
        p99: percentile(serverMs.slice(-N), 0.99),
      },
    };
    const round = (v: number) => Math.round(v * 10) / 10;
    console.log(
      [
        `| ${PROJECT}, ${N} samples each          | p50 ms | p99 ms |`,
        "| ------------------------------------- | ------ | ------ |",
        `| executor: claim to recorded           | ${round(figures.executor.p50)} | ${round(figures.executor.p99)} |`,
        `| executor: queued to recorded          | ${round(figures.executorQueued.p50)} | ${round(figures.executorQueued.p99)} |`,
        `| dry run over HTTP                     | ${round(figures.dryRun.p50)} | ${round(figures.dryRun.p99)} |`,
        `| dry run, server side (duration_ms)    | ${round(figures.dryRunServer.p50)} | ${round(figures.dryRunServer.p99)} |`,
      ].join("\n"),
    );
    const ratio = figures.dryRun.p50 / figures.executor.p50;
    console.log(
      `RESULT ${JSON.stringify({
        bench: "dry-run",
        project: PROJECT,
        samples: N,
        executorP50Ms: round(figures.executor.p50),
        executorP99Ms: round(figures.executor.p99),
        executorQueuedP50Ms: round(figures.executorQueued.p50),
        dryRunP50Ms: round(figures.dryRun.p50),
        dryRunP99Ms: round(figures.dryRun.p99),
        dryRunServerP50Ms: round(figures.dryRunServer.p50),
        ratio: Math.round(ratio * 100) / 100,
        ratioP99:
          Math.round((figures.dryRun.p99 / figures.executor.p99) * 100) / 100,
        // request to answer against the executor's queued to recorded: each with its hand-over
        ratioQueued:
          Math.round((figures.dryRun.p50 / figures.executorQueued.p50) * 100) /
          100,
        goal: 1.2,
      })}`,
    );
  } finally {
    await api.stop();
    await executor.stop();
  }
} finally {
  await database.stop();
}
