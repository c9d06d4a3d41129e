/**
 * bench/trigger-creator: one full materialization pass of the real trigger-creator process
 * (`node apps/trigger-creator/dist/main.js --once`) over N freshly seeded schedules (a mix of
 * crons and zones), for N = 10,000 and 100,000, against the physical floor: one
 * `INSERT ... SELECT generate_series` of the same number of trigger rows into the same table.
 * Prints a table and, last, `RESULT {json}`. See README.md.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";

import { migrateToLatest } from "@vigil/db";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";

import { startBenchPostgres, withClient } from "../_shared/postgres.js";
import { seedSchedules } from "./seed.js";

const sizes = (
  process.argv.find((a) => a.startsWith("--sizes="))?.slice(8) ?? "10000,100000"
)
  .split(",")
  .map(Number);
const log = (line: string) => console.error(`[bench/trigger-creator] ${line}`);
const MAIN = fileURLToPath(
  new URL("../../apps/trigger-creator/dist/main.js", import.meta.url),
);

interface PassLog {
  durationMs: number;
  schedules: number;
  triggers: number;
  batches: number;
  maxRssKb: number;
}

interface Row {
  schedules: number;
  passMs: number;
  processMs: number;
  schedulesPerSecond: number;
  triggers: number;
  floorMs: number;
  ratioToFloor: number;
  idlePassMs: number;
  changedPassMs: number;
  peakRssMb: number;
}

/** Runs the creator once and returns its "pass finished" line and the process's wall time. */
async function runCreatorOnce(
  url: string,
  extraArgs: string[] = [],
): Promise<PassLog & { processMs: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [MAIN, "--once", ...extraArgs], {
    env: {
      PATH: process.env.PATH ?? "",
      DATABASE_URL: url,
      LOG_LEVEL: "info",
      TRIGGER_BATCH_SIZE: "1000",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on(
    "data",
    (chunk: Buffer) => void (out += chunk.toString("utf8")),
  );
  const code = await new Promise<number | null>((resolve) =>
    child.on("exit", resolve),
  );
  const processMs = performance.now() - started;
  const line = out.split("\n").find((l) => l.includes('"pass finished"'));
  if (code !== 0 || !line) {
    throw new Error(
      `trigger-creator --once exited with ${code}:\n${out.slice(-2000)}`,
    );
  }
  return { ...(JSON.parse(line) as PassLog), processMs };
}

/** The floor: the same number of rows into the same table and indexes, in one statement, no planning. */
async function insertFloor(c: pg.Client, rows: number): Promise<number> {
  await c.query("truncate triggers cascade");
  const started = performance.now();
  await c.query(
    `insert into triggers (schedule_id, project_id, fire_at, available_at, source, max_attempts, schedule_version)
     select s.id, s.project_id, t, t, 'schedule', 2, 1
     from generate_series(0, $1::int - 1) g
     join schedules s on s.id = 1 + g % (select count(*) from schedules)
     cross join lateral (select now() + (g / (select count(*) from schedules) + 1) * interval '1 minute' as t) x`,
    [rows],
  );
  return performance.now() - started;
}

async function measure(
  adminUrl: string,
  urlFor: (db: string) => string,
  n: number,
): Promise<Row> {
  const database = `vigil_bench_tc_${n}_${randomBytes(3).toString("hex")}`;
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${database}`));
  const url = urlFor(database);
  try {
    const db = new Kysely<unknown>({
      dialect: new PostgresDialect({
        pool: new pg.Pool({ connectionString: url, max: 1 }),
      }),
    });
    const migrated = await migrateToLatest(db);
    await db.destroy();
    if (migrated.error) {
      throw migrated.error;
    }
    await withClient(url, (c) => seedSchedules(c, n));
    log(`${n} schedules seeded; materializing`);
    const pass = await runCreatorOnce(url);
    // Right after: a full pass with (almost) nothing due, as the leader runs every half horizon,
    // and the pass over changed schedules only, as it runs on every NOTIFY and poll.
    const idle = await runCreatorOnce(url);
    const changed = await runCreatorOnce(url, ["--changed-only"]);
    const floorMs = await withClient(url, (c) => insertFloor(c, pass.triggers));
    return {
      schedules: n,
      passMs: pass.durationMs,
      processMs: Math.round(pass.processMs),
      schedulesPerSecond: Math.round(n / (pass.durationMs / 1000)),
      triggers: pass.triggers,
      floorMs: Math.round(floorMs),
      ratioToFloor: Number((pass.durationMs / floorMs).toFixed(2)),
      idlePassMs: idle.durationMs,
      changedPassMs: changed.durationMs,
      peakRssMb: Math.round(pass.maxRssKb / 1024),
    };
  } finally {
    await withClient(adminUrl, (c) =>
      c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`),
    ).catch(() => undefined);
  }
}

const server = await startBenchPostgres(log, "trigger-creator");
const rows: Row[] = [];
try {
  for (const n of sizes) {
    rows.push(await measure(server.adminUrl, server.urlFor, n));
  }
} finally {
  await server.stop();
}

const header = [
  "schedules",
  "pass s",
  "process s",
  "schedules/s",
  "triggers",
  "floor s",
  "pass/floor",
  "idle full pass ms",
  "changed-only pass ms",
  "peak RSS MB",
];
const table = rows.map((r) =>
  [
    r.schedules,
    (r.passMs / 1000).toFixed(2),
    (r.processMs / 1000).toFixed(2),
    r.schedulesPerSecond,
    r.triggers,
    (r.floorMs / 1000).toFixed(2),
    r.ratioToFloor,
    r.idlePassMs,
    r.changedPassMs,
    r.peakRssMb,
  ].map(String),
);
const widths = header.map((h, i) =>
  Math.max(h.length, ...table.map((t) => t[i]!.length)),
);
const format = (cells: string[]) =>
  cells.map((c, i) => c.padStart(widths[i]!)).join("  ");
console.log(format(header));
for (const t of table) {
  console.log(format(t));
}
const largest = rows.find((r) => r.schedules === 100_000);
console.log(
  `RESULT ${JSON.stringify({ bench: "trigger-creator", rows, goal: largest ? { schedules: 100_000, maxSeconds: 15, met: largest.passMs < 15_000 } : null })}`,
);
