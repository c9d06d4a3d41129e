/**
 * bench/execution-inputs: what keeping a run's input costs (EXECUTION_INPUTS, issue 16 part 2).
 * For N order-like rows: the load step every run already pays (the rows written to rows.ndjson
 * through @vigil/datasources' writer, as `loadRowsToFile` does) is the baseline; against it the
 * gzip the executor adds before the detector starts (`captureInput`), the insert of the gzip in
 * the record transaction, and reading it back for a replay (`getExecutionInput`: gunzip +
 * parse). Medians of `--rounds` rounds. Prints a table and, last, `RESULT {json}`.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { DataSourceSchema } from "@vigil/contracts";
import { loadRowsToFile } from "@vigil/datasources";
import { captureInput } from "@vigil/detector-run";
import { createDb, getExecutionInput, migrateToLatest } from "@vigil/db";

import { startBenchPostgres, withClient } from "../_shared/postgres.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i === -1 ? undefined : Number(process.argv[i + 1]);
  return value === undefined || !Number.isFinite(value) ? fallback : value;
};
const sizes = [arg("small", 10_000), arg("large", 100_000)];
const rounds = arg("rounds", 5);
const log = (line: string) => console.error(`[bench/execution-inputs] ${line}`);

const STATUSES = ["paid", "pending", "refunded", "failed"];
const rowsOf = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    order_id: 100_000 + i,
    customer_id: `c-${(i * 7919) % 5000}`,
    amount: Math.round(((i * 37) % 100_000) + 99) / 100,
    paid: Math.round(((i * 41) % 100_000) + 99) / 100,
    currency: i % 3 === 0 ? "EUR" : "USD",
    status: STATUSES[i % 4],
    created_at: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(),
  }));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};
async function timeMs<T>(
  fn: () => Promise<T>,
): Promise<{ ms: number; result: T }> {
  const t = performance.now();
  const result = await fn();
  return { ms: performance.now() - t, result };
}

const server = await startBenchPostgres(log, "execution-inputs");
const database = `vigil_bench_inputs_${randomBytes(3).toString("hex")}`;
await withClient(server.adminUrl, (c) =>
  c.query(`CREATE DATABASE ${database}`),
);
const { db, close } = createDb({ connectionString: server.urlFor(database) });
const dir = await mkdtemp(path.join(os.tmpdir(), "vigil-bench-inputs-"));
const results: Record<string, number>[] = [];
try {
  await migrateToLatest(db);
  await db
    .insertInto("projects")
    .values({
      id: "bench-inputs",
      name: "bench-inputs",
      config: JSON.stringify({ data_source: { type: "manual" } }),
    })
    .execute();
  const source = DataSourceSchema.parse({ type: "manual" });
  const window = { start: new Date(0), end: new Date(1000) };
  for (const n of sizes) {
    const rows = rowsOf(n);
    const outFile = path.join(dir, `rows-${n}.ndjson`);
    const load: number[] = [];
    const capture: number[] = [];
    const insert: number[] = [];
    const read: number[] = [];
    let raw = 0;
    let gz = 0;
    for (let r = 0; r < rounds + 1; r++) {
      const loaded = await timeMs(() =>
        loadRowsToFile({
          source,
          window,
          secrets: () => undefined,
          outFile,
          projectId: "bench-inputs",
          loadLatestDataset: () => Promise.resolve(null),
          allowPrivateNetworks: false,
          maxBytes: 1024 ** 3,
          rows,
        }),
      );
      const captured = await timeMs(() =>
        captureInput({
          rowsFile: outFile,
          rowCount: n,
          window,
          parameters: {},
          maxBytes: 1024 ** 3,
        }),
      );
      if (!captured.result.kept) {
        throw new Error("the bench input was not kept");
      }
      const rowsGz = captured.result.rowsGz;
      const { id } = await db
        .insertInto("executions")
        .values({
          project_id: "bench-inputs",
          status: "success",
          scheduled_for: new Date(),
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const inserted = await timeMs(() =>
        db
          .insertInto("execution_inputs")
          .values({
            execution_id: id,
            project_id: "bench-inputs",
            window_start: window.start,
            window_end: window.end,
            row_count: n,
            bytes: rowsGz.length,
            raw_bytes: captured.result.rawBytes,
            rows_gz: rowsGz,
          })
          .execute(),
      );
      const got = await timeMs(() => getExecutionInput(db, String(id)));
      if (got.result?.rows.length !== n) {
        throw new Error("the bench input did not read back");
      }
      if (r === 0) {
        continue; // warm-up
      }
      load.push(loaded.ms);
      capture.push(captured.ms);
      insert.push(inserted.ms);
      read.push(got.ms);
      raw = captured.result.rawBytes;
      gz = rowsGz.length;
    }
    results.push({
      rows: n,
      raw_bytes: raw,
      gz_bytes: gz,
      compression: Math.round((raw / gz) * 10) / 10,
      load_ms: Math.round(median(load) * 10) / 10,
      capture_ms: Math.round(median(capture) * 10) / 10,
      capture_vs_load: Math.round((median(capture) / median(load)) * 100) / 100,
      insert_ms: Math.round(median(insert) * 10) / 10,
      replay_read_ms: Math.round(median(read) * 10) / 10,
    });
  }
  console.log(
    "rows     raw MB  gz MB  ratio  load ms  gzip ms  gzip/load  insert ms  read ms",
  );
  for (const r of results) {
    console.log(
      [
        String(r.rows).padEnd(8),
        ((r.raw_bytes ?? 0) / 1e6).toFixed(2).padStart(6),
        ((r.gz_bytes ?? 0) / 1e6).toFixed(2).padStart(6),
        String(r.compression).padStart(6),
        String(r.load_ms).padStart(8),
        String(r.capture_ms).padStart(8),
        String(r.capture_vs_load).padStart(10),
        String(r.insert_ms).padStart(10),
        String(r.replay_read_ms).padStart(8),
      ].join(" "),
    );
  }
  console.log(
    `RESULT ${JSON.stringify({ bench: "execution-inputs", rounds, sizes: results })}`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
  await close();
  await server.stop();
}
