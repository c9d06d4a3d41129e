/**
 * bench/cleaner: prune 1,000,000 executions (with findings) with the real cleaner process
 * (`node apps/cleaner/dist/main.js --once`) while a claim load keeps claiming triggers, and
 * compare the claim latency p99 during the prune with the p99 of the same load without it.
 * Prints a table and, last, `RESULT {json}`. See README.md.
 */
import { randomBytes } from "node:crypto";
import os from "node:os";

import { migrateToLatest } from "@vigil/db";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";

import { quantile, startClaimLoad, type Claim } from "./claim-load.js";
import {
  interleave,
  startCleanerOnce,
  type Period,
} from "./cleaner-process.js";
import { startBenchPostgres } from "../_shared/postgres.js";
import { seedHistory, type SeedShape } from "./seed.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i === -1 ? undefined : Number(process.argv[i + 1]);
  return value === undefined || !Number.isFinite(value) ? fallback : value;
};
const executions = arg("executions", 1_000_000);
const projects = arg("projects", 10);
const shape: SeedShape = {
  projects,
  oldPerProject: Math.ceil(executions / projects),
  keptPerProject: 100,
  findingsPerExecution: arg("findings", 2),
  pendingTriggers: 20_000,
};
const batchSize = arg("batch", 100);
const pauseMs = arg("pause-ms", 2);
const interleaveMs = arg("interleave-seconds", 3) * 1000;
/** After SIGSTOP the cleaner's statement in flight still finishes on the server. */
const SETTLE_MS = 250;
const baselineMs = arg("baseline-seconds", 15) * 1000;
const claimLoad = {
  connections: arg("claimers", 2),
  pauseMs: arg("claim-pause-ms", 5),
};
const log = (line: string) => console.error(`[bench/cleaner] ${line}`);

const server = await startBenchPostgres(log, "cleaner");
const database = `vigil_bench_cleaner_${randomBytes(3).toString("hex")}`;
await withClient(server.adminUrl, (c) =>
  c.query(`CREATE DATABASE ${database}`),
);
const url = server.urlFor(database);
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
  const seedStarted = performance.now();
  await seedHistory(url, shape, log);
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const before = await countHistory(url);
  log(
    `seeded ${before.executions} executions, ${before.findings} findings in ${seedSeconds.toFixed(1)} s`,
  );

  // the seed's dirty pages must not be flushed on the baseline's time
  await withClient(url, (c) => c.query("CHECKPOINT"));
  const loadAverage = os.loadavg()[0] ?? 0;
  log(
    `baseline: claim load alone for ${baselineMs / 1000} s (host load average ${loadAverage.toFixed(2)})`,
  );
  const baselineLoad = await startClaimLoad(url, claimLoad);
  await new Promise((r) => setTimeout(r, baselineMs));
  const baseline = (await baselineLoad.stop()).map((c) => c.latencyMs);

  log(
    `prune: the cleaner process with the same claim load, stopped and resumed every ${interleaveMs / 1000} s`,
  );
  const duringLoad = await startClaimLoad(url, claimLoad);
  const run = startCleanerOnce(url, { batch: batchSize, pauseMs });
  const periods = await interleave(run, interleaveMs);
  const pass = await run.done;
  const window = await passWindow(url);
  const claims = await duringLoad.stop();
  // claims sent while the pass ran (not the cleaner's start-up) and the cleaner was running;
  // the comparison set: claims while it was stopped, after SETTLE_MS for its last batch to end
  const inPeriod = (c: Claim, p: Period, settle: number) =>
    c.at >= Math.max(p.from + settle, window.start) &&
    c.at <= Math.min(p.to, window.end);
  const during = claims
    .filter((c) => periods.some((p) => p.running && inPeriod(c, p, 0)))
    .map((c) => c.latencyMs);
  const between = claims
    .filter((c) => periods.some((p) => !p.running && inPeriod(c, p, SETTLE_MS)))
    .map((c) => c.latencyMs);
  const overlap = (p: Period) =>
    Math.max(0, Math.min(p.to, window.end) - Math.max(p.from, window.start));
  const stoppedMs = periods
    .filter((p) => !p.running)
    .reduce((sum, p) => sum + overlap(p), 0);
  const activeMs = pass.durationMs - stoppedMs;
  // what the executors feel right after: autovacuum now reclaims the deleted rows
  log(`after: claim load alone for ${baselineMs / 1000} s`);
  const afterLoad = await startClaimLoad(url, claimLoad);
  await new Promise((r) => setTimeout(r, baselineMs));
  const afterPass = (await afterLoad.stop()).map((c) => c.latencyMs);

  const after = await countHistory(url);
  // with interleaving, the baseline is the claims while the cleaner was stopped, same minutes
  const reference = interleaveMs > 0 && between.length > 0 ? between : baseline;
  const pruned = before.executions - after.executions;
  const expectedKept = shape.projects * shape.keptPerProject;
  const figures = {
    executions_pruned: pruned,
    findings_pruned: before.findings - after.findings,
    prune_seconds: round(activeMs / 1000, 2),
    rows_per_second: Math.round(pruned / (activeMs / 1000)),
    findings_per_second: Math.round(
      (before.findings - after.findings) / (activeMs / 1000),
    ),
    batch_size: batchSize,
    batch_pause_ms: pauseMs,
    interleave_ms: interleaveMs,
    claims_baseline: reference.length,
    claims_during: during.length,
    claim_p50_baseline_ms: round(quantile(reference, 0.5), 2),
    claim_p50_during_ms: round(quantile(during, 0.5), 2),
    claim_p99_baseline_ms: round(quantile(reference, 0.99), 2),
    claim_p99_during_ms: round(quantile(during, 0.99), 2),
    claim_p99_ratio: round(
      quantile(during, 0.99) / quantile(reference, 0.99),
      2,
    ),
    claim_p99_before_ms: round(quantile(baseline, 0.99), 2),
    claim_max_during_ms: round(Math.max(...during), 2),
    claim_p99_after_ms: round(quantile(afterPass, 0.99), 2),
    host_load_average: round(loadAverage, 2),
    kept_as_expected:
      after.executions === expectedKept &&
      after.pendingTriggers === shape.pendingTriggers,
    goal_under_60s: activeMs < 60_000,
    goal_p99_within_2x: quantile(during, 0.99) <= 2 * quantile(reference, 0.99),
  };
  printTable(figures, seedSeconds);
  console.log(`RESULT ${JSON.stringify(figures)}`);
} finally {
  await withClient(server.adminUrl, (c) =>
    c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`),
  ).catch(() => undefined);
  await server.stop();
}

async function withClient<T>(
  connectionString: string,
  fn: (c: pg.Client) => Promise<T>,
): Promise<T> {
  const c = new pg.Client({ connectionString });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function countHistory(connectionString: string) {
  return withClient(connectionString, async (c) => {
    const { rows } = await c.query<{
      executions: number;
      findings: number;
      pending: number;
    }>(
      `SELECT (SELECT count(*) FROM executions)::int AS executions, (SELECT count(*) FROM findings)::int AS findings,
              (SELECT count(*) FROM triggers WHERE status = 'pending')::int AS pending`,
    );
    const row = rows[0];
    return {
      executions: row?.executions ?? 0,
      findings: row?.findings ?? 0,
      pendingTriggers: row?.pending ?? 0,
    };
  });
}

/** When the pass ran, from its maintenance_runs row (same host, so the same clock as Date.now()). */
async function passWindow(
  connectionString: string,
): Promise<{ start: number; end: number }> {
  return withClient(connectionString, async (c) => {
    const { rows } = await c.query<{ started_at: Date; finished_at: Date }>(
      "SELECT started_at, finished_at FROM maintenance_runs ORDER BY id DESC LIMIT 1",
    );
    const row = rows[0];
    if (!row) {
      throw new Error("the cleaner recorded no maintenance_runs row");
    }
    return { start: row.started_at.getTime(), end: row.finished_at.getTime() };
  });
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

function printTable(
  f: Record<string, number | boolean>,
  seedSeconds: number,
): void {
  const rows: [string, string][] = [
    ["seed (s)", seedSeconds.toFixed(1)],
    ["executions pruned", String(f.executions_pruned)],
    ["findings pruned", String(f.findings_pruned)],
    ["prune time (s)", String(f.prune_seconds)],
    ["executions/s", String(f.rows_per_second)],
    ["findings/s", String(f.findings_per_second)],
    [
      "claim p50 stopped / running (ms)",
      `${f.claim_p50_baseline_ms} / ${f.claim_p50_during_ms}`,
    ],
    [
      "claim p99 stopped / running (ms)",
      `${f.claim_p99_baseline_ms} / ${f.claim_p99_during_ms}`,
    ],
    ["claim p99 ratio (goal <= 2)", String(f.claim_p99_ratio)],
    [
      "claim p99 alone before / after (ms)",
      `${f.claim_p99_before_ms} / ${f.claim_p99_after_ms}`,
    ],
    ["claims stopped / running", `${f.claims_baseline} / ${f.claims_during}`],
    ["host load average at start", String(f.host_load_average)],
    ["batch size / pause (ms)", `${f.batch_size} / ${f.batch_pause_ms}`],
    ["interleave (ms)", String(f.interleave_ms)],
    ["kept rows as expected", String(f.kept_as_expected)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n"));
}
