/**
 * bench/sources: what pooling the SQL sources' connections saves per run. The same
 * load (`loadRowsToFile` of a 50-row PostgreSQL query into a file, as the executor's trusted
 * step does) run `--loads` times in a row, once with a connection of its own per load (connect,
 * SCRAM login, query, close) and once over the executor's pooled connections
 * (`createSourceConnections`). Rounds alternate; the medians are reported. Prints a table and,
 * last, `RESULT {json}`.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { DataSourceSchema, type SqlDataSource } from "@vigil/contracts";
import { createSourceConnections, loadRowsToFile } from "@vigil/datasources";

import { startBenchPostgres, withClient } from "../_shared/postgres.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i === -1 ? undefined : Number(process.argv[i + 1]);
  return value === undefined || !Number.isFinite(value) ? fallback : value;
};
const loads = arg("loads", 200);
const rounds = arg("rounds", 5);
const log = (line: string) => console.error(`[bench/sources] ${line}`);

const server = await startBenchPostgres(log, "sources");
const database = `vigil_bench_sources_${randomBytes(3).toString("hex")}`;
await withClient(server.adminUrl, (c) =>
  c.query(`CREATE DATABASE ${database}`),
);
const url = server.urlFor(database);
const outDir = await mkdtemp(path.join(tmpdir(), "vigil-bench-sources-"));
try {
  await withClient(url, async (c) => {
    await c.query(
      "create table orders as select g as id, g * 1.5 as total from generate_series(1, 50) g",
    );
  });
  const source = DataSourceSchema.parse({
    type: "sql",
    driver: "postgres",
    url_env: "VIGIL_SECRET_BENCH_DB_URL",
    query: "select id, total from orders order by id",
  }) as SqlDataSource;
  const loadOnce = async (
    connections?: ReturnType<typeof createSourceConnections>,
  ) => {
    const result = await loadRowsToFile({
      source,
      window: { start: new Date(0), end: new Date() },
      secrets: () => url,
      outFile: path.join(outDir, "rows.ndjson"),
      projectId: "bench",
      loadLatestDataset: () => Promise.resolve(null),
      allowPrivateNetworks: false,
      ...(connections && { connections }),
    });
    if (!result.ok || result.rowCount !== 50) {
      throw new Error(`a load failed: ${JSON.stringify(result)}`);
    }
  };
  const time = async (fn: () => Promise<void>) => {
    const started = performance.now();
    for (let i = 0; i < loads; i++) {
      await fn();
    }
    return (performance.now() - started) / loads;
  };
  const fresh: number[] = [];
  const pooled: number[] = [];
  // one of each first, untimed: module loading and the server's caches
  await loadOnce();
  for (let r = 0; r < rounds; r++) {
    fresh.push(await time(() => loadOnce()));
    const connections = createSourceConnections();
    pooled.push(await time(() => loadOnce(connections)));
    await connections.close();
    log(
      `round ${r + 1}: ${fresh.at(-1)!.toFixed(2)} ms fresh, ${pooled.at(-1)!.toFixed(2)} ms pooled per load`,
    );
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)]!;
  };
  const result = {
    loads_per_round: loads,
    rounds,
    rows_per_load: 50,
    fresh_ms_per_load: Number(median(fresh).toFixed(3)),
    pooled_ms_per_load: Number(median(pooled).toFixed(3)),
    pooled_over_fresh: Number((median(pooled) / median(fresh)).toFixed(3)),
  };
  console.log("| connection per load | ms per load (median of rounds) |");
  console.log("| --- | --- |");
  console.log(
    `| its own (connect, login, close) | ${result.fresh_ms_per_load} |`,
  );
  console.log(
    `| pooled (createSourceConnections) | ${result.pooled_ms_per_load} |`,
  );
  console.log(`RESULT ${JSON.stringify(result)}`);
} finally {
  await rm(outDir, { recursive: true, force: true });
  await withClient(server.adminUrl, (c) =>
    c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`),
  ).catch(() => undefined);
  await server.stop();
}
