/**
 * bench/api: latency and throughput of the API's busiest read routes with 1,000 projects
 * and 1,000,000 executions, under autocannon on loopback, against the real API process
 * (`apps/api/dist/main.js`, which `npm run bench` builds). Baseline in the
 * same run: `/health`, which touches no database. Prints a table, then `RESULT {json}`.
 * See README.md.
 */
import { randomBytes } from "node:crypto";

import autocannon from "autocannon";
import { createDb, migrateToLatest } from "@vigil/db";
import pg from "pg";

import { startApiProcess, type RunningApi } from "../_shared/api-process.js";
import { startBenchPostgres } from "../_shared/postgres.js";
import { seedDatabase } from "./seed.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i === -1 ? undefined : Number(process.argv[i + 1]);
  return value === undefined || !Number.isFinite(value) ? fallback : value;
};
const shape = {
  projects: arg("projects", 1000),
  executions: arg("executions", 1_000_000),
  bigProjectExecutions: arg("big-project", 200_000),
  days: arg("days", 30),
  pendingTriggersPerProject: arg("pending", 10),
};
const connections = arg("connections", 8);
const seconds = arg("seconds", 5);
const log = (line: string) => console.error(`[bench/api] ${line}`);
const TOKEN = "bench-token-aaaaaaaaaaaaaaaa";

interface Row {
  name: string;
  path: string;
  /** One connection: the latency of a request on an otherwise idle server. */
  p50: number;
  p99: number;
  /** `connections` connections: throughput, and the latency under that load. */
  rps: number;
  loadedP50: number;
  loadedP99: number;
  errors: number;
}

async function measure(url: string, name: string, path: string): Promise<Row> {
  // one short warm-up so the first figures are not JIT and connection setup
  await autocannon({ url: url + path, connections, duration: 1 });
  const single = await autocannon({
    url: url + path,
    connections: 1,
    duration: seconds,
  });
  const loaded = await autocannon({
    url: url + path,
    connections,
    duration: seconds,
  });
  const row = {
    name,
    path,
    p50: single.latency.p50,
    p99: single.latency.p99,
    rps: Math.round(loaded.requests.average),
    loadedP50: loaded.latency.p50,
    loadedP99: loaded.latency.p99,
    errors:
      single.errors +
      single.timeouts +
      single.non2xx +
      loaded.errors +
      loaded.timeouts +
      loaded.non2xx,
  };
  log(
    `${name}: 1 conn p50 ${row.p50} ms p99 ${row.p99} ms; ${connections} conns ${row.rps} req/s p50 ${row.loadedP50} ms p99 ${row.loadedP99} ms; ${row.errors} errors`,
  );
  return row;
}

const server = await startBenchPostgres(log, "api");
const database = `vigil_bench_api_${randomBytes(3).toString("hex")}`;
const admin = new pg.Client({ connectionString: server.adminUrl });
await admin.connect();
await admin.query(`create database ${database}`);
await admin.end();
const databaseUrl = server.urlFor(database);
let api: RunningApi | undefined;
try {
  const handle = createDb({ connectionString: databaseUrl, max: 2 });
  const migrated = await migrateToLatest(handle.db);
  if (migrated.error) {
    throw migrated.error;
  }
  const seedStarted = Date.now();
  log(`seeding ${shape.projects} projects and ${shape.executions} executions`);
  await seedDatabase(handle.db, shape);
  const seedSeconds = (Date.now() - seedStarted) / 1000;
  log(`seeded in ${seedSeconds.toFixed(1)} s`);
  // a deep page of the big project: 100 rows from its oldest end (ids 1..bigProjectExecutions)
  const deepCursor = Buffer.from("e:101", "utf8").toString("base64url");
  await handle.close();

  api = await startApiProcess(databaseUrl, { token: TOKEN, env: {} });
  const url = api.url;

  const targets: Array<[string, string]> = [
    ["baseline /health", "/health"],
    ["executions first page", "/projects/p0000/executions?limit=50"],
    [
      "executions deep cursor",
      `/projects/p0000/executions?limit=50&cursor=${deepCursor}`,
    ],
    [
      "executions status filter",
      "/projects/p0000/executions?limit=50&status=failed,timeout",
    ],
    ["executions small project", "/projects/p0500/executions?limit=50"],
    ["stats 24h all projects", "/stats"],
    ["stats 24h one project", "/stats?project_id=p0000"],
    ["queue", "/queue"],
    ["project detail", "/projects/p0000"],
  ];
  const rows: Row[] = [];
  for (const [name, path] of targets) {
    rows.push(await measure(url, name, path));
  }
  const baseline = rows[0]!;
  console.log(
    `\nbench/api: ${shape.projects} projects, ${shape.executions} executions (${shape.bigProjectExecutions} in p0000), 1 and ${connections} connections, ${seconds} s each per route\n`,
  );
  console.log(
    `| route | p50 ms (1 conn) | p99 ms (1 conn) | req/s (${connections} conns) | p50 / p99 ms (${connections} conns) | req/s vs /health | errors |`,
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${r.p50} | ${r.p99} | ${r.rps} | ${r.loadedP50} / ${r.loadedP99} | ${(r.rps / baseline.rps).toFixed(3)} | ${r.errors} |`,
    );
  }
  const byName = Object.fromEntries(
    rows.map((r) => [
      r.name.replace(/[^a-z0-9]+/gi, "_"),
      {
        path: r.path,
        p50_ms: r.p50,
        p99_ms: r.p99,
        rps: r.rps,
        loaded_p50_ms: r.loadedP50,
        loaded_p99_ms: r.loadedP99,
        rps_vs_health: Number((r.rps / baseline.rps).toFixed(3)),
        errors: r.errors,
      },
    ]),
  );
  console.log(
    `RESULT ${JSON.stringify({ bench: "api", ...shape, connections, seconds, seed_seconds: Number(seedSeconds.toFixed(1)), routes: byName })}`,
  );
} finally {
  await api?.stop();
  await new Promise((r) => setTimeout(r, 300));
  await server.stop();
}
