/**
 * bench/findings: the cost of weighing one run's findings against a project's discrepancies
 * (`updateDiscrepancies`, packages/db/src/queries/discrepancies/update.ts) when the run touches
 * 100k of them: 50k still failing, 25k new, 25k resolved (their rows read, not flagged), with a
 * row key. Against the floor: the bare `INSERT ... ON CONFLICT DO UPDATE` of the same 75k
 * findings, sent the same way (one jsonb parameter). Rounds alternate and each rolls back, so
 * every round starts from the same state. Prints a table and, last, `RESULT {json}`.
 */
import { randomBytes } from "node:crypto";

import {
  createDb,
  migrateToLatest,
  updateDiscrepancies,
  type DbTransaction,
} from "@vigil/db";
import { sql } from "kysely";

import { startBenchPostgres, withClient } from "../_shared/postgres.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i === -1 ? undefined : Number(process.argv[i + 1]);
  return value === undefined || !Number.isFinite(value) ? fallback : value;
};
const unchanged = arg("unchanged", 50_000);
const fresh = arg("new", 25_000);
const resolved = arg("resolved", 25_000);
const rounds = arg("rounds", 5);
const log = (line: string) => console.error(`[bench/findings] ${line}`);

const key = (i: number) => `order-${i}`;
const fingerprint = (i: number) => `r1:${key(i)}`;
const projectId = "bench-findings";

const server = await startBenchPostgres(log, "findings");
const database = `vigil_bench_findings_${randomBytes(3).toString("hex")}`;
await withClient(server.adminUrl, (c) =>
  c.query(`CREATE DATABASE ${database}`),
);
const { db, close } = createDb({ connectionString: server.urlFor(database) });
try {
  await migrateToLatest(db);
  await db
    .insertInto("projects")
    .values({
      id: projectId,
      name: projectId,
      config: JSON.stringify({ data_source: { type: "manual", key: "id" } }),
    })
    .execute();
  // tracked before the run: rows [0, unchanged) still fail, [unchanged, unchanged + resolved) are fixed
  const tracked = unchanged + resolved;
  log(`seeding ${tracked} open discrepancies`);
  await sql`
    INSERT INTO discrepancies (project_id, fingerprint, rule_id, finding_key, row_key, severity, message,
                               first_seen_at, last_seen_at, first_execution_id, last_execution_id)
    SELECT ${projectId}, 'r1:order-' || i, 'r1', 'order-' || i, 'order-' || i, 'high', 'mismatch ' || i,
           now() - interval '1 day', now() - interval '1 hour', 1, 1
    FROM generate_series(0, ${tracked - 1}) i`.execute(db);
  await sql`VACUUM ANALYZE discrepancies`.execute(db);

  // the run: findings for the still-failing and the new rows; it read every row
  const findingIndexes = [
    ...Array.from({ length: unchanged }, (_, i) => i),
    ...Array.from({ length: fresh }, (_, i) => tracked + i),
  ];
  const seen = findingIndexes.map((i) => ({
    fingerprint: fingerprint(i),
    ruleId: "r1",
    findingKey: key(i),
    rowKey: key(i),
    severity: "high" as const,
    message: `mismatch ${i}`,
    data: { i },
  }));
  const rowKeys = Array.from({ length: tracked + fresh }, (_, i) => key(i));

  class Rollback extends Error {}
  const timed = async (
    body: (trx: DbTransaction) => Promise<unknown>,
  ): Promise<{ ms: number; result: unknown }> => {
    let result: unknown;
    const start = performance.now();
    let ms = 0;
    await db
      .transaction()
      .execute(async (trx) => {
        result = await body(trx);
        ms = performance.now() - start;
        throw new Rollback();
      })
      .catch((err: unknown) => {
        if (!(err instanceof Rollback)) {
          throw err;
        }
      });
    return { ms, result };
  };

  const vigil = () =>
    timed((trx) =>
      updateDiscrepancies(trx, {
        projectId,
        executionId: 2,
        seen,
        evaluatedRuleIds: ["r1"],
        rowKeys,
        expireAfter: null,
      }),
    );
  const floorRows = seen.map((f) => ({
    fingerprint: f.fingerprint,
    rule_id: f.ruleId,
    finding_key: f.findingKey,
    severity: f.severity,
    message: f.message,
    data: f.data,
  }));
  const floor = () =>
    timed((trx) =>
      sql`
        INSERT INTO discrepancies AS d (project_id, fingerprint, rule_id, finding_key, severity, message, data,
                                        first_seen_at, last_seen_at, first_execution_id, last_execution_id)
        SELECT ${projectId}, s.fingerprint, s.rule_id, s.finding_key, s.severity, s.message, s.data,
               now(), now(), 2, 2
        FROM jsonb_to_recordset(${JSON.stringify(floorRows)}::jsonb)
          AS s(fingerprint text, rule_id text, finding_key text, severity text, message text, data jsonb)
        ON CONFLICT (project_id, fingerprint) DO UPDATE SET
          severity = excluded.severity, message = excluded.message, data = excluded.data,
          occurrences = d.occurrences + 1, last_seen_at = now(), last_execution_id = excluded.last_execution_id`.execute(
        trx,
      ),
    );

  // one warm-up of each, then alternate
  const check = await vigil();
  const changes = new Map<string, number>();
  for (const t of check.result as { change: string }[]) {
    changes.set(t.change, (changes.get(t.change) ?? 0) + 1);
  }
  log(`transitions: ${JSON.stringify(Object.fromEntries(changes))}`);
  if (
    changes.get("still_open") !== unchanged ||
    changes.get("new") !== fresh ||
    changes.get("resolved") !== resolved
  ) {
    throw new Error(
      "the run did not make the transitions the benchmark is about",
    );
  }
  await floor();
  const vigilMs: number[] = [];
  const floorMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    vigilMs.push((await vigil()).ms);
    floorMs.push((await floor()).ms);
    log(
      `round ${r + 1}: vigil ${vigilMs.at(-1)!.toFixed(0)} ms, floor ${floorMs.at(-1)!.toFixed(0)} ms`,
    );
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)]!;
  };
  const v = median(vigilMs);
  const f = median(floorMs);
  console.log("");
  console.log(
    `| what (median of ${rounds}, rolled back)                     | ms     |`,
  );
  console.log(
    "| ------------------------------------------------------------ | ------ |",
  );
  console.log(
    `| updateDiscrepancies: ${unchanged} unchanged, ${fresh} new, ${resolved} resolved + events | ${v.toFixed(0).padStart(6)} |`,
  );
  console.log(
    `| bare INSERT ... ON CONFLICT of the same ${unchanged + fresh} findings       | ${f.toFixed(0).padStart(6)} |`,
  );
  console.log("");
  console.log(
    `RESULT ${JSON.stringify({
      bench: "findings",
      touched: unchanged + fresh + resolved,
      unchanged,
      new: fresh,
      resolved,
      rounds,
      vigil_ms_p50: Math.round(v),
      floor_ms_p50: Math.round(f),
      ratio: Number((v / f).toFixed(2)),
    })}`,
  );
} finally {
  await close();
  await server.stop();
}
