/**
 * bench/herd: N projects (default 300, `--quick` 60) due at the same instant, one real sandboxed
 * detector each over 50 rows, one real executor process at concurrency 2; against graphile-worker
 * 0.17 at concurrency 2 doing the same work (read the rows, spawn `node` on the rule, write an
 * execution and its findings) and the spawn floor (N `node -e 0`, 2 at a time). Rounds alternate
 * the three; Vigil's first round is cold (first synthesis), its second warm. Per side: makespan
 * (first due -> last recorded, database clock), its process's CPU and the PostgreSQL server's CPU
 * (/proc). Prints a table and, last, `RESULT {"bench":"herd",...}`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { createDb, migrateToLatest, toJson } from "@vigil/db";
import { Logger, runMigrations } from "graphile-worker";
import pg from "pg";

import { startBenchPostgres, withClient } from "../_shared/postgres.js";
import {
  findPostmasterPid,
  readProcessCpu,
  readServerCpuMs,
} from "./proc-cpu.js";

const EXECUTOR_MAIN = fileURLToPath(
  new URL("../../apps/executor/dist/main.js", import.meta.url),
);
const GRAPHILE_WORKER = fileURLToPath(
  new URL("./graphile-worker.mjs", import.meta.url),
);
const RULE_CODE = readFileSync(new URL("./rule.mjs", import.meta.url), "utf8");
const ROWS = 50;
const CONCURRENCY = 2;

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i === -1 ? undefined : Number(process.argv[i + 1]);
  return value === undefined || !Number.isFinite(value) ? fallback : value;
};
const quick = process.argv.includes("--quick");
const cpuProfileDir = (() => {
  const i = process.argv.indexOf("--cpu-prof");
  return i === -1 ? undefined : path.resolve(process.argv[i + 1] ?? "");
})();
const projects = arg("projects", quick ? 60 : 300);
const log = (line: string) => console.error(`[bench/herd] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round1 = (x: number) => Math.round(x * 10) / 10;
const round2 = (x: number) => Math.round(x * 100) / 100;

const orders = Array.from({ length: ROWS }, (_, i) => ({
  id: `o${String(i).padStart(3, "0")}`,
  total: 100 + i,
  paid: i % 10 === 0 ? 1 : 100 + i,
}));
const projectIds = Array.from(
  { length: projects },
  (_, i) => `herd-${String(i).padStart(4, "0")}`,
);

interface SideFigures {
  makespanMs: number;
  /** utime + stime of the executor / graphile-worker process over the round. */
  processCpuMs: number;
  /** Their detector / rule processes that exited during the round (cutime + cstime). */
  childrenCpuMs: number;
  /** The whole PostgreSQL server over the round; null when it does not run on this machine. */
  postgresCpuMs: number | null;
  cpuMsPerRun: number | null;
}

async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    // gently: a tight poll would compete for the two cores with what it measures
    await sleep(100);
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => resolve()),
  );
  child.kill("SIGCONT");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  return exited.finally(() => clearTimeout(timer));
}

function tailStderr(child: ChildProcess): () => string {
  let stderr = "";
  child.stderr?.on(
    "data",
    (c: Buffer) => void (stderr = (stderr + c.toString("utf8")).slice(-4000)),
  );
  return () => stderr;
}

/**
 * Measures one round of one side. The side's process is resumed for the round and stopped
 * (SIGSTOP) outside it, so its idle polling is never billed to the other side.
 */
async function measureRound(
  child: ChildProcess,
  postmasterPid: number | undefined,
  start: () => Promise<void>,
  finished: () => Promise<boolean>,
  makespan: () => Promise<number>,
): Promise<SideFigures> {
  child.kill("SIGCONT");
  await sleep(500);
  const cpu0 = readProcessCpu(child.pid!);
  const pg0 = postmasterPid ? readServerCpuMs(postmasterPid) : undefined;
  await start();
  await waitFor(finished, 600_000, "the herd's runs");
  const cpu1 = readProcessCpu(child.pid!);
  const pg1 = postmasterPid ? readServerCpuMs(postmasterPid) : undefined;
  const makespanMs = await makespan();
  // the runs' last standby detectors boot after them: let them settle before the next side
  await sleep(1500);
  child.kill("SIGSTOP");
  const processCpuMs = cpu1.selfMs - cpu0.selfMs;
  const postgresCpuMs =
    pg0 === undefined || pg1 === undefined ? null : pg1 - pg0;
  return {
    makespanMs,
    processCpuMs,
    childrenCpuMs: cpu1.reapedChildrenMs - cpu0.reapedChildrenMs,
    postgresCpuMs,
    cpuMsPerRun:
      postgresCpuMs === null ? null : (processCpuMs + postgresCpuMs) / projects,
  };
}

async function measureFloor(): Promise<number> {
  const began = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < projects) {
      next++;
      await new Promise<void>((resolve, reject) => {
        const c = spawn(process.execPath, ["-e", "0"], {
          env: { NODE_ENV: "production", TZ: "UTC" },
          stdio: "ignore",
        });
        c.on("error", reject);
        c.on("exit", (code) =>
          code === 0 ? resolve() : reject(new Error(`node -e 0: ${code}`)),
        );
      });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return performance.now() - began;
}

const server = await startBenchPostgres(log, "herd");
const suffix = randomBytes(3).toString("hex");
const vigilDatabase = `vigil_bench_herd_${suffix}`;
const graphileDatabase = `graphile_bench_herd_${suffix}`;
const cleanups: (() => Promise<unknown>)[] = [];
try {
  const dataDirectory = await withClient(server.adminUrl, async (c) => {
    await c.query(`CREATE DATABASE ${vigilDatabase}`);
    await c.query(`CREATE DATABASE ${graphileDatabase}`);
    const { rows } = await c.query<{ data_directory: string }>(
      "SHOW data_directory",
    );
    return rows[0]!.data_directory;
  });
  const postmasterPid = findPostmasterPid(dataDirectory);
  log(
    postmasterPid
      ? `PostgreSQL CPU from /proc (postmaster ${postmasterPid} and its children)`
      : "PostgreSQL does not run on this machine: its CPU is not measured",
  );
  const vigilUrl = server.urlFor(vigilDatabase);
  const graphileUrl = server.urlFor(graphileDatabase);

  // Vigil: one project per member of the herd, its rule and a manual dataset of 50 rows
  const handle = createDb({ connectionString: vigilUrl, max: 2 });
  cleanups.push(() => handle.close());
  const { db } = handle;
  const migrated = await migrateToLatest(db);
  if (migrated.error) {
    throw migrated.error;
  }
  const rowsText = JSON.stringify(orders);
  await db
    .insertInto("projects")
    .values(
      projectIds.map((id) => ({
        id,
        name: id,
        config: toJson({
          data_source: { type: "manual" },
          timeout_seconds: 60,
          memory_mb: 256,
        }),
      })),
    )
    .execute();
  await db
    .insertInto("rules")
    .values(
      projectIds.map((id) => ({
        project_id: id,
        rule_id: "paid-matches-total",
        code: RULE_CODE,
        severity: "high" as const,
        parameters: toJson({ tolerance: 0.5 }),
      })),
    )
    .execute();
  await db
    .insertInto("datasets")
    .values(
      projectIds.map((id) => ({
        project_id: id,
        format: "json" as const,
        rows: rowsText,
        row_count: ROWS,
        size_bytes: rowsText.length,
        sha256: "0".repeat(64),
      })),
    )
    .execute();

  // graphile-worker: its schema, the same 50 rows per project in a table, and its history tables
  const gw = new pg.Pool({ connectionString: graphileUrl, max: 2 });
  gw.on("error", () => undefined);
  gw.on("connect", (client) => client.on("error", () => undefined));
  cleanups.push(() => gw.end());
  await runMigrations({
    pgPool: gw,
    logger: new Logger(() => () => undefined),
  });
  await gw.query(`
    CREATE TABLE herd_orders (project_id text NOT NULL, id text NOT NULL, total float8 NOT NULL,
      paid float8 NOT NULL, PRIMARY KEY (project_id, id));
    CREATE TABLE herd_executions (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      project_id text NOT NULL, job_id bigint NOT NULL, started_at timestamptz NOT NULL,
      finished_at timestamptz NOT NULL DEFAULT now(), finding_count int NOT NULL);
    CREATE TABLE herd_findings (execution_id bigint NOT NULL REFERENCES herd_executions,
      key text NOT NULL, message text NOT NULL, PRIMARY KEY (execution_id, key));`);
  await gw.query(
    `INSERT INTO herd_orders SELECT p, o.id, o.total, o.paid
       FROM unnest($1::text[]) AS p, json_to_recordset($2::json) AS o (id text, total float8, paid float8)`,
    [projectIds, rowsText],
  );

  // one real executor process, as production runs it
  const workDir = await mkdtemp(path.join(os.tmpdir(), "vigil-bench-herd-"));
  await chmod(workDir, 0o755);
  cleanups.push(() => rm(workDir, { recursive: true, force: true }));
  const executor = spawn(
    process.execPath,
    [
      // the whole life of the executor (both rounds), written when it exits
      ...(cpuProfileDir
        ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfileDir}`]
        : []),
      EXECUTOR_MAIN,
    ],
    {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        DATABASE_URL: vigilUrl,
        WORK_DIR: workDir,
        EXECUTOR_CONCURRENCY: String(CONCURRENCY),
        LOG_LEVEL: "warn",
        METRICS_PORT: "0",
      },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  const executorStderr = tailStderr(executor);
  cleanups.unshift(() => stopChild(executor));
  await waitFor(
    async () => {
      if (executor.exitCode !== null) {
        throw new Error(
          `the executor exited with ${executor.exitCode}: ${executorStderr()}`,
        );
      }
      const row = await db
        .selectFrom("workers")
        .select("id")
        .where("app", "=", "executor")
        .where("stopped_at", "is", null)
        .executeTakeFirst();
      return row !== undefined;
    },
    30_000,
    "the executor",
  );

  const worker = spawn(process.execPath, [GRAPHILE_WORKER], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      DATABASE_URL: graphileUrl,
      HERD_CONCURRENCY: String(CONCURRENCY),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const workerStderr = tailStderr(worker);
  cleanups.unshift(() => stopChild(worker));
  await new Promise<void>((resolve, reject) => {
    worker.stdout.on("data", (c: Buffer) => {
      if (c.toString("utf8").includes("ready")) {
        resolve();
      }
    });
    worker.once("exit", (code) =>
      reject(
        new Error(`graphile-worker exited with ${code}: ${workerStderr()}`),
      ),
    );
  });
  executor.kill("SIGSTOP");
  worker.kill("SIGSTOP");

  const vigilRound = async (): Promise<SideFigures> => {
    let triggerIds: number[] = [];
    return measureRound(
      executor,
      postmasterPid,
      async () => {
        const r = await db
          .insertInto("triggers")
          .columns(["project_id", "source", "fire_at", "available_at"])
          .expression((eb) =>
            eb
              .selectFrom("projects")
              .select((s) => [
                "id",
                s.val("manual").as("source"),
                s.fn("now").as("fire_at"),
                s.fn("now").as("available_at"),
              ])
              .where("id", "in", projectIds),
          )
          .returning("id")
          .execute();
        triggerIds = r.map((t) => Number(t.id));
      },
      async () => {
        const done = await db
          .selectFrom("executions")
          .select(["status", "error_message"])
          .where("trigger_id", "in", triggerIds)
          .where("finished_at", "is not", null)
          .execute();
        const failed = done.find((e) => e.status !== "success");
        if (failed) {
          throw new Error(
            `a run did not succeed: ${failed.status} ${failed.error_message}`,
          );
        }
        return done.length === triggerIds.length;
      },
      async () => {
        const r = await db
          .selectFrom("executions as e")
          .innerJoin("triggers as t", "t.id", "e.trigger_id")
          .select((s) => [
            s.fn.min("t.fire_at").as("due"),
            s.fn.max("e.finished_at").as("last"),
          ])
          .where("t.id", "in", triggerIds)
          .executeTakeFirstOrThrow();
        return new Date(r.last as Date).getTime() - new Date(r.due).getTime();
      },
    );
  };

  let graphileRounds = 0;
  const graphileRound = async (): Promise<SideFigures> => {
    const before = ++graphileRounds;
    let dueMs = 0;
    let firstJob = "0";
    return measureRound(
      worker,
      postmasterPid,
      async () => {
        const { rows } = await gw.query<{ due: Date; first: string }>(
          `SELECT now() AS due, min((graphile_worker.add_job('herd', json_build_object('project', p, 'round', $2::int),
                    run_at => now())).id)::text AS first
             FROM unnest($1::text[]) AS p`,
          [projectIds, before],
        );
        dueMs = rows[0]!.due.getTime();
        firstJob = rows[0]!.first;
      },
      async () => {
        const { rows } = await gw.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM herd_executions WHERE job_id >= $1",
          [firstJob],
        );
        return rows[0]!.n >= projects;
      },
      async () => {
        const { rows } = await gw.query<{ last: Date; findings: number }>(
          `SELECT max(finished_at) AS last, sum(finding_count)::int AS findings
             FROM herd_executions WHERE job_id >= $1`,
          [firstJob],
        );
        if (rows[0]!.findings !== projects * (ROWS / 10)) {
          throw new Error(
            `graphile-worker wrote ${rows[0]!.findings} findings`,
          );
        }
        return rows[0]!.last.getTime() - dueMs;
      },
    );
  };

  const figures = {
    vigil: [] as SideFigures[],
    graphile: [] as SideFigures[],
    floorMs: [] as number[],
  };
  const rounds = [
    ["vigil", "graphile", "floor"],
    ["floor", "graphile", "vigil"],
  ] as const;
  for (const [i, order] of rounds.entries()) {
    for (const side of order) {
      log(`round ${i + 1} (${i === 0 ? "cold" : "warm"}): ${side}`);
      if (side === "vigil") {
        figures.vigil.push(await vigilRound());
      } else if (side === "graphile") {
        figures.graphile.push(await graphileRound());
      } else {
        figures.floorMs.push(await measureFloor());
      }
    }
  }
  const findings = await db
    .selectFrom("findings")
    .select((s) => s.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  if (Number(findings.n) !== 2 * projects * (ROWS / 10)) {
    throw new Error(`Vigil recorded ${findings.n} findings`);
  }

  const side = (f: SideFigures) => ({
    makespanMs: Math.round(f.makespanMs),
    processCpuMs: Math.round(f.processCpuMs),
    childrenCpuMs: Math.round(f.childrenCpuMs),
    postgresCpuMs:
      f.postgresCpuMs === null ? null : Math.round(f.postgresCpuMs),
    cpuMsPerRun: f.cpuMsPerRun === null ? null : round1(f.cpuMsPerRun),
  });
  const phase = (i: number) => {
    const v = figures.vigil[i]!;
    const g = figures.graphile[i]!;
    const floor = figures.floorMs[i]!;
    return {
      vigil: side(v),
      graphile: side(g),
      floorMs: Math.round(floor),
      vigilOverGraphile: round2(v.makespanMs / g.makespanMs),
      vigilOverFloor: round2(v.makespanMs / floor),
      graphileOverFloor: round2(g.makespanMs / floor),
      cpuPerRunVigilOverGraphile:
        v.cpuMsPerRun === null || g.cpuMsPerRun === null
          ? null
          : round2(v.cpuMsPerRun / g.cpuMsPerRun),
    };
  };
  const result = {
    bench: "herd",
    projects,
    rowsPerProject: ROWS,
    concurrency: CONCURRENCY,
    cold: phase(0),
    warm: phase(1),
  };

  const pad = (s: string | number, n: number) => String(s).padStart(n);
  console.log(
    `${projects} projects due at once, ${ROWS} rows each, concurrency ${CONCURRENCY}`,
  );
  console.log(
    `${"round".padEnd(6)}${"side".padEnd(10)}${pad("makespan ms", 12)}${pad("x floor", 9)}${pad("proc CPU ms", 13)}${pad("children ms", 13)}${pad("PG CPU ms", 11)}${pad("CPU ms/run", 12)}`,
  );
  for (const name of ["cold", "warm"] as const) {
    const p = result[name];
    for (const [label, f] of [
      ["vigil", p.vigil],
      ["graphile", p.graphile],
    ] as const) {
      console.log(
        `${name.padEnd(6)}${label.padEnd(10)}${pad(f.makespanMs, 12)}${pad(round2(f.makespanMs / p.floorMs), 9)}${pad(f.processCpuMs, 13)}${pad(f.childrenCpuMs, 13)}${pad(f.postgresCpuMs ?? "-", 11)}${pad(f.cpuMsPerRun ?? "-", 12)}`,
      );
    }
    console.log(`${name.padEnd(6)}${"floor".padEnd(10)}${pad(p.floorMs, 12)}`);
  }
  console.log(`RESULT ${JSON.stringify(result)}`);
} finally {
  for (const cleanup of cleanups) {
    await cleanup().catch((e: unknown) => log(`cleanup: ${String(e)}`));
  }
  await withClient(server.adminUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${vigilDatabase} WITH (FORCE)`);
    await c.query(`DROP DATABASE IF EXISTS ${graphileDatabase} WITH (FORCE)`);
  }).catch(() => undefined);
  await server.stop();
}
