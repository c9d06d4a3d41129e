/**
 * bench/claim: the cost of one claim (`vigil_claim_due_triggers`, limit 2: an executor at
 * concurrency 2) while 1, 50, 100 and 300 projects have one due run each, against the claim
 * function as it was before it took a candidate batch (bench/claim/baseline.sql, loaded under
 * another name into this bench's database only). Calls alternate between the two, each in its own
 * transaction that rolls back, so every call sees the same due herd; WAL bytes per claim are the
 * WAL insert position's advance over the call. Prints a table and, last, `RESULT {json}`.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";

import { createDb, migrateToLatest } from "@vigil/db";
import pg from "pg";

import { startBenchPostgres, withClient } from "../_shared/postgres.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i === -1 ? undefined : Number(process.argv[i + 1]);
  return value === undefined || !Number.isFinite(value) ? fallback : value;
};
const calls = arg("calls", 300);
const warmup = arg("warmup", 30);
const limit = arg("limit", 2);
const herds = [1, 50, 100, 300];
const log = (line: string) => console.error(`[bench/claim] ${line}`);

const functions = {
  batch: "vigil_claim_due_triggers",
  baseline: "vigil_claim_due_triggers_baseline",
} as const;
type Variant = keyof typeof functions;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
};
const round = (x: number, digits = 3) => Number(x.toFixed(digits));

const server = await startBenchPostgres(log, "claim");
const database = `vigil_bench_claim_${randomBytes(3).toString("hex")}`;
await withClient(server.adminUrl, (c) =>
  c.query(`CREATE DATABASE ${database}`),
);
const url = server.urlFor(database);
const { db, close } = createDb({ connectionString: url });
const client = new pg.Client({ connectionString: url });
try {
  await migrateToLatest(db);
  await close();
  await client.connect();
  await client.query(
    readFileSync(new URL("./baseline.sql", import.meta.url), "utf8"),
  );

  const claimOnce = async (variant: Variant) => {
    await client.query("BEGIN");
    try {
      const before = await client.query<{ lsn: string }>(
        "SELECT pg_current_wal_insert_lsn()::text AS lsn",
      );
      const started = performance.now();
      const { rows } = await client.query<{ outcome: string }>(
        `SELECT outcome FROM ${functions[variant]}($1, $2, $3, $4::int, $5::jsonb)`,
        ["bench", 30, limit, null, null],
      );
      const ms = performance.now() - started;
      const wal = await client.query<{ bytes: string }>(
        "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1::pg_lsn)::text AS bytes",
        [before.rows[0]!.lsn],
      );
      const claimed = rows.filter((r) => r.outcome === "claimed").length;
      return { ms, walBytes: Number(wal.rows[0]!.bytes), claimed };
    } finally {
      await client.query("ROLLBACK");
    }
  };

  const result: Record<string, unknown> = { bench: "claim", limit, calls };
  const table: string[] = [
    "due projects | batch p50 ms | p99 ms | WAL B | baseline p50 ms | p99 ms | WAL B | p50 ratio",
  ];
  let made = 0;
  for (const herd of herds) {
    for (; made < herd; made++) {
      const id = `bench-claim-${String(made).padStart(4, "0")}`;
      await client.query(
        `INSERT INTO projects (id, name, config) VALUES ($1, $1, $2::jsonb)`,
        [id, JSON.stringify({ data_source: { type: "manual" } })],
      );
      // one due run each, fire times a second apart: the herd of one instant spread slightly
      await client.query(
        `INSERT INTO triggers (project_id, source, fire_at, available_at)
         VALUES ($1, 'manual', now() - make_interval(secs => $2), now() - make_interval(secs => $2))`,
        [id, 3600 - made],
      );
    }
    await client.query("VACUUM ANALYZE triggers, projects");
    const samples: Record<Variant, { ms: number[]; wal: number[] }> = {
      batch: { ms: [], wal: [] },
      baseline: { ms: [], wal: [] },
    };
    for (let i = 0; i < warmup + calls; i++) {
      // alternate which one goes first, so neither always runs on a warmer cache
      const order: Variant[] =
        i % 2 === 0 ? ["batch", "baseline"] : ["baseline", "batch"];
      for (const variant of order) {
        const r = await claimOnce(variant);
        if (r.claimed !== Math.min(limit, herd)) {
          throw new Error(
            `${variant} claimed ${r.claimed} of ${herd} due projects, expected ${Math.min(limit, herd)}`,
          );
        }
        if (i >= warmup) {
          samples[variant].ms.push(r.ms);
          samples[variant].wal.push(r.walBytes);
        }
      }
      if (i % 100 === 99) {
        // the rolled-back claims leave dead row versions; keep both variants on a clean table
        await client.query("VACUUM triggers, executions");
      }
    }
    const stats = (v: Variant) => ({
      p50_ms: round(quantile(samples[v].ms, 0.5)),
      p99_ms: round(quantile(samples[v].ms, 0.99)),
      wal_bytes: quantile(samples[v].wal, 0.5),
    });
    const batch = stats("batch");
    const baseline = stats("baseline");
    const ratio = round(batch.p50_ms / baseline.p50_ms, 2);
    result[`due_${herd}`] = {
      batch,
      baseline,
      p50_ratio: ratio,
      p99_ratio: round(batch.p99_ms / baseline.p99_ms, 2),
      wal_ratio: round(batch.wal_bytes / baseline.wal_bytes, 2),
    };
    table.push(
      `${String(herd).padStart(12)} | ${String(batch.p50_ms).padStart(12)} | ${String(batch.p99_ms).padStart(6)} | ${String(batch.wal_bytes).padStart(5)} | ${String(baseline.p50_ms).padStart(15)} | ${String(baseline.p99_ms).padStart(6)} | ${String(baseline.wal_bytes).padStart(5)} | ${ratio}`,
    );
    log(`${herd} due projects measured`);
  }
  console.log(table.join("\n"));
  console.log(`RESULT ${JSON.stringify(result)}`);
} finally {
  await client.end().catch(() => undefined);
  await server.stop();
}
