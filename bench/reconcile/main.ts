/**
 * bench/reconcile: one project whose PostgreSQL source returns 100k and 1M rows (a table in the
 * bench's own database) and one rule flagging 1% of them, end to end through the executor's
 * path (`runDetector` of @vigil/detector-run: synthesize, load the rows into the run folder,
 * dispatch the sandboxed standby detector, verify), then the findings inserted; against a bare
 * Node script (floor.mjs) that streams the same rows with a cursor, applies the same function
 * and inserts the findings with the same statement. Rounds alternate floor and Vigil; medians of
 * wall time and peak RSS (the detector process's VmHWM, the floor's own maxRSS). Prints a table
 * and, last, `RESULT {json}`. See README.md.
 */
import { spawn } from "node:child_process";
import { chmod, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { ProjectConfigSchema } from "@vigil/contracts";
import { createLogger } from "@vigil/logger";
import pg from "pg";

// the executor's runner, from source (the bench runs with tsx)
import {
  createDetectorSlots,
  createSecretStore,
  runDetector,
} from "../../packages/detector-run/src/index.js";
import { median } from "../detector/floor.js";
import { startBenchPostgres, withClient } from "../_shared/postgres.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i === -1 ? undefined : Number(process.argv[i + 1]);
  return value === undefined || !Number.isFinite(value) ? fallback : value;
};
const rounds = arg("rounds", 3);
const sizes = (
  process.argv.includes("--sizes")
    ? process.argv[process.argv.indexOf("--sizes") + 1]!.split(",")
    : ["100000", "1000000"]
).map(Number);
const MEMORY_MB = 4096;
const log = (line: string) => console.error(`[bench/reconcile] ${line}`);

const RULE_CODE = `export function detect(rows, params) {
  const out = [];
  for (const row of rows) {
    if (Math.abs(row.total - row.paid) > params.tolerance)
      out.push({ key: String(row.id), message: "payment " + row.id + " paid " + row.paid + " of " + row.total });
  }
  return out;
}`;
/** The same rule over an async iterable: the detector holds one batch of rows at a time. */
const STREAM_RULE_CODE = `export async function detectStream(rows, params) {
  const out = [];
  for await (const row of rows) {
    if (Math.abs(row.total - row.paid) > params.tolerance)
      out.push({ key: String(row.id), message: "payment " + row.id + " paid " + row.paid + " of " + row.total });
  }
  return out;
}`;

const server = await startBenchPostgres(log, "reconcile");
const database = `vigil_bench_reconcile_${process.pid}`;
await withClient(server.adminUrl, (c) =>
  c.query(`CREATE DATABASE ${database}`),
);
const url = server.urlFor(database);
const workDir = await mkdtemp(path.join(os.tmpdir(), "vigil-bench-reconcile-"));
await chmod(workDir, 0o755);

interface Figures {
  ms: number;
  rssMb: number;
  findings: number;
}

/**
 * The highest VmHWM (peak RSS) of the slot's node processes while `work` runs: /proc is scanned
 * for them every 50 ms and each one found is read every 2 ms, so the figure misses at most the
 * last 2 ms of a process's life.
 */
async function withPeakRss<T>(
  work: () => Promise<T>,
): Promise<{ value: T; rssMb: number }> {
  const slotsDir = path.join(workDir, ".slots");
  const peaks = new Map<string, number>();
  let polling = true;
  const scan = async () => {
    for (const pid of await readdir("/proc")) {
      if (!/^\d+$/.test(pid) || peaks.has(pid)) {
        continue;
      }
      const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(
        () => "",
      );
      if (cmdline.startsWith(process.execPath) && cmdline.includes(slotsDir)) {
        peaks.set(pid, 0);
      }
    }
  };
  const read = async () => {
    for (const pid of peaks.keys()) {
      const status = await readFile(`/proc/${pid}/status`, "utf8").catch(
        () => "",
      );
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      peaks.set(pid, Math.max(peaks.get(pid) ?? 0, kb));
    }
  };
  const poll = (async () => {
    let last = 0;
    while (polling) {
      if (performance.now() - last > 50) {
        await scan();
        last = performance.now();
      }
      await read();
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  })();
  try {
    const value = await work();
    return { value, rssMb: Math.max(0, ...peaks.values()) / 1024 };
  } finally {
    polling = false;
    await poll;
  }
}

async function insertFindings(
  c: pg.Client,
  run: string,
  list: { key: string; message: string }[],
) {
  for (let i = 0; i < list.length; i += 5000) {
    const batch = list.slice(i, i + 5000);
    await c.query(
      "INSERT INTO bench_findings (run, key, message) SELECT $1, * FROM unnest($2::text[], $3::text[])",
      [run, batch.map((f) => f.key), batch.map((f) => f.message)],
    );
  }
}

function runFloor(query: string, run: string): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        path.join(here, "floor.mjs"),
        url,
        query,
        run,
        path.join(here, "rule.mjs"),
      ],
      {
        stdio: ["ignore", "pipe", "inherit"],
        env: { NODE_ENV: "production", TZ: "UTC" },
      },
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0) {
        return reject(new Error(`floor.mjs exited with ${code}`));
      }
      const r = JSON.parse(out) as {
        ms: number;
        maxRssMb: number;
        findings: number;
      };
      resolve({ ms: r.ms, rssMb: r.maxRssMb, findings: r.findings });
    });
  });
}

const logger = createLogger({ level: "silent", name: "bench" });
const slots = createDetectorSlots({
  workDir,
  prestart: true,
  extraRead: [],
  logger,
});
const recorder = new pg.Client({ connectionString: url });
await recorder.connect();
const results: Record<string, unknown> = {};
try {
  await withClient(url, async (c) => {
    await c.query(
      "CREATE TABLE bench_findings (run text, key text, message text)",
    );
  });
  for (const size of sizes) {
    const table = `payments_${size}`;
    log(`creating ${table} (${size} rows, 1% mismatched)`);
    await withClient(url, async (c) => {
      await c.query(
        `CREATE TABLE ${table} AS SELECT g::bigint AS id, (g % 1000 + 0.25)::numeric(12,2) AS total,
           (CASE WHEN g % 100 = 0 THEN g % 1000 + 9.25 ELSE g % 1000 + 0.25 END)::numeric(12,2) AS paid,
           'c' || (g % 5000) AS customer, timestamp '2026-01-01' + g * interval '1 second' AS created_at
         FROM generate_series(1, $1::int) g`,
        [size],
      );
      await c.query(`VACUUM ANALYZE ${table}`);
    });
    const query = `SELECT id, total, paid, customer, created_at FROM ${table} ORDER BY id`;
    const config = ProjectConfigSchema.parse({
      data_source: {
        type: "sql",
        driver: "postgres",
        url_env: "VIGIL_SECRET_BENCH_DB_URL",
        query,
        timeout_seconds: 600,
        max_rows: 10_000_000,
      },
      memory_mb: MEMORY_MB,
      timeout_seconds: 600,
    });
    const vigilOnce = async (
      run: string,
      code = RULE_CODE,
    ): Promise<Figures> => {
      const started = performance.now();
      const { value: outcome, rssMb } = await withPeakRss(() =>
        runDetector({
          workDir,
          projectId: "bench",
          rules: [
            {
              ruleId: "paid-matches-total",
              definitionId: null,
              code,
              parameters: { tolerance: 0.5 },
              severity: "high",
              category: "billing",
              description: "paid equals total",
            },
          ],
          config,
          window: { start: new Date(0), end: new Date() },
          context: {
            projectId: "bench",
            executionId: run,
            triggerId: run,
            attempt: 1,
            scheduledFor: new Date().toISOString(),
          },
          packages: { names: [] },
          slots,
          signal: new AbortController().signal,
          secrets: createSecretStore({
            env: { VIGIL_SECRET_BENCH_DB_URL: url },
          }),
          allowPrivateNetworks: true,
          byteLimits: { maxRowBytes: 1024 ** 2, maxBytes: 1024 ** 3 },
          loadLatestDataset: () => Promise.resolve(null),
        }),
      );
      if (outcome.kind !== "succeeded") {
        throw new Error(
          `the run did not succeed: ${JSON.stringify(outcome).slice(0, 2000)}`,
        );
      }
      const findings = outcome.findings.map((f) => ({
        key: f.key,
        message: f.message,
      }));
      await insertFindings(recorder, run, findings);
      return {
        ms: performance.now() - started,
        rssMb,
        findings: findings.length,
      };
    };
    // one untimed run each: synthesis, the table in the page cache, the standby booted
    await runFloor(query, "warm-floor");
    await vigilOnce("warm-vigil");
    await vigilOnce("warm-stream", STREAM_RULE_CODE);
    const floor: Figures[] = [];
    const vigil: Figures[] = [];
    const stream: Figures[] = [];
    for (let round = 0; round < rounds; round++) {
      floor.push(await runFloor(query, `floor-${size}-${round}`));
      // the standby the previous run left boots untimed
      await new Promise((resolve) => setTimeout(resolve, 500));
      vigil.push(await vigilOnce(`vigil-${size}-${round}`));
      await new Promise((resolve) => setTimeout(resolve, 500));
      stream.push(await vigilOnce(`stream-${size}-${round}`, STREAM_RULE_CODE));
      const show = (x: Figures) =>
        `${x.ms.toFixed(0)} ms ${x.rssMb.toFixed(0)} MB`;
      log(
        `${size} rows, round ${round + 1}/${rounds}: floor ${show(floor.at(-1)!)}, detect ${show(vigil.at(-1)!)}, detectStream ${show(stream.at(-1)!)}`,
      );
    }
    if (floor[0]!.findings !== vigil[0]!.findings) {
      throw new Error(
        `findings differ: floor ${floor[0]!.findings}, vigil ${vigil[0]!.findings}`,
      );
    }
    const f = {
      ms: median(floor.map((x) => x.ms)),
      rss: median(floor.map((x) => x.rssMb)),
    };
    const v = {
      ms: median(vigil.map((x) => x.ms)),
      rss: median(vigil.map((x) => x.rssMb)),
    };
    const st = {
      ms: median(stream.map((x) => x.ms)),
      rss: median(stream.map((x) => x.rssMb)),
    };
    const label =
      size >= 1_000_000 ? `${size / 1_000_000}m` : `${size / 1000}k`;
    results[`rows_${label}`] = {
      rows: size,
      findings: vigil[0]!.findings,
      floor_ms: Math.round(f.ms),
      vigil_ms: Math.round(v.ms),
      time_ratio: Number((v.ms / f.ms).toFixed(2)),
      floor_rss_mb: Math.round(f.rss),
      detector_rss_mb: Math.round(v.rss),
      rss_ratio: Number((v.rss / f.rss).toFixed(2)),
      stream_ms: Math.round(st.ms),
      stream_time_ratio: Number((st.ms / f.ms).toFixed(2)),
      stream_rss_mb: Math.round(st.rss),
      stream_rss_ratio: Number((st.rss / f.rss).toFixed(2)),
    };
    await withClient(url, (c) => c.query(`DROP TABLE ${table}`));
  }
} finally {
  await recorder.end();
  await slots.close();
  await rm(workDir, { recursive: true, force: true });
  await withClient(server.adminUrl, (c) =>
    c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`),
  ).catch(() => undefined);
  await server.stop();
}

console.log(
  "| rows | findings | floor ms | vigil ms | ratio | floor RSS MB | detector RSS MB | ratio |",
);
console.log(
  "| ---- | -------- | -------- | -------- | ----- | ------------ | --------------- | ----- |",
);
for (const r of Object.values(results) as Record<string, number>[]) {
  console.log(
    `| ${r.rows} | ${r.findings} | ${r.floor_ms} | ${r.vigil_ms} | ${r.time_ratio}x | ${r.stream_ms} | ${r.stream_time_ratio}x | ${r.floor_rss_mb} | ${r.detector_rss_mb} | ${r.rss_ratio}x | ${r.stream_rss_mb} | ${r.stream_rss_ratio}x |`,
  );
}
console.log(
  `RESULT ${JSON.stringify({ bench: "reconcile", rounds, ...results })}`,
);
