import { sql } from "kysely";
import { gzipSync } from "node:zlib";

import { describeExecutionInput, getExecutionInput, type Db } from "@vigil/db";
import { dbTest, insertProject } from "@vigil/db/testing";
import { expect } from "vitest";

import { runPrunePass, emptyCounts } from "../src/prune-pass.js";
import { PASS_OPTIONS, quietLogger } from "./helpers.js";

/** A finished execution `daysAgo` old whose input (its rows, gzipped) is kept. */
async function seedKeptInput(
  db: Db,
  o: { projectId: string; daysAgo: number; rows: unknown[] },
): Promise<number> {
  const gz = gzipSync(o.rows.map((r) => JSON.stringify(r) + "\n").join(""));
  const { rows } = await sql<{ id: number }>`
    WITH e AS (
      INSERT INTO executions (project_id, status, scheduled_for, created_at)
      VALUES (${o.projectId}, 'success', now(), now() - make_interval(days => ${o.daysAgo}))
      RETURNING id
    )
    INSERT INTO execution_inputs (execution_id, project_id, window_start, window_end, row_count,
                                  bytes, raw_bytes, rows_gz, created_at)
    SELECT e.id, ${o.projectId}, now() - interval '1 hour', now(), ${o.rows.length},
           ${gz.length}, 100, ${gz}, now() - make_interval(days => ${o.daysAgo})
    FROM e RETURNING execution_id AS id`.execute(db);
  return rows[0]!.id;
}

const pass = (db: Db, options = PASS_OPTIONS) =>
  runPrunePass({
    db,
    logger: quietLogger,
    options,
    signal: new AbortController().signal,
    counts: emptyCounts(),
  });

dbTest(
  "inputs older than the retention lose their rows but keep their executions, which say why",
  async ({ db }) => {
    const p = await insertProject(db);
    const old = await seedKeptInput(db, {
      projectId: p.id,
      daysAgo: 8,
      rows: [{ a: 1 }],
    });
    const young = await seedKeptInput(db, {
      projectId: p.id,
      daysAgo: 6,
      rows: [{ a: 2 }],
    });

    const counts = await pass(db);

    expect(counts.execution_inputs).toBe(1);
    expect(await getExecutionInput(db, String(old))).toBeNull();
    expect(await describeExecutionInput(db, old)).toMatchObject({
      kept: false,
      reason: "pruned_age",
    });
    expect(await describeExecutionInput(db, old)).toMatchObject({
      message: expect.stringContaining("EXECUTION_INPUT_RETENTION_DAYS"),
    });
    // the execution itself follows its own retention (30 days here), not the input's
    const executions = await db
      .selectFrom("executions")
      .select("id")
      .where("id", "=", old)
      .execute();
    expect(executions).toHaveLength(1);
    expect((await getExecutionInput(db, String(young)))?.rows).toEqual([
      { a: 2 },
    ]);
  },
);

dbTest(
  "over the total cap the oldest inputs are pruned first until the rest fits",
  async ({ db }) => {
    const p = await insertProject(db);
    const ids: number[] = [];
    for (let day = 5; day >= 1; day--) {
      ids.push(
        await seedKeptInput(db, {
          projectId: p.id,
          daysAgo: day,
          rows: [{ day }],
        }),
      );
    }
    // every kept input of this file's database counts toward the cap, other tests' too
    const sizes = await db
      .selectFrom("execution_inputs")
      .select(["execution_id", "bytes"])
      .where("rows_gz", "is not", null)
      .orderBy("created_at", "desc")
      .execute();
    // room for exactly the two newest
    const cap = sizes[0]!.bytes + sizes[1]!.bytes;

    const counts = await pass(db, {
      ...PASS_OPTIONS,
      batchSize: 2,
      inputTotalMaxBytes: cap,
    });

    expect(counts.execution_inputs).toBe(sizes.length - 2);
    const states = await Promise.all(
      ids.map(async (id) => (await describeExecutionInput(db, id))?.kept),
    );
    expect(states).toEqual([false, false, false, true, true]);
    expect(await describeExecutionInput(db, ids[0]!)).toMatchObject({
      reason: "pruned_total",
    });
  },
);
