import { createDb, migrateToLatest } from "@vigil/db";
import { startStreamingReplica, waitFor } from "@vigil/db/testing";
import { expect, test } from "vitest";

import { createFleetMetrics } from "../src/fleet-metrics.js";

/** One series' value in a scrape (undefined: absent). */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.split(" ")[1]);
}

test("vigil_db_replication_lag_seconds has a series per streaming standby of the primary", async () => {
  const replica = await startStreamingReplica({ databases: ["vigil"] });
  const primary = createDb({
    connectionString: replica.primaryUrl("vigil"),
    max: 2,
  });
  const standby = createDb({
    connectionString: replica.standbyUrl("vigil"),
    max: 1,
  });
  try {
    const { error } = await migrateToLatest(primary.db);
    expect(error).toBeUndefined();
    const registry = createFleetMetrics(primary.db);
    const series = `vigil_db_replication_lag_seconds{replica="${replica.standbyName}"}`;
    const text = await waitFor(
      async () => {
        const t = await registry.metrics();
        return sample(t, series) === undefined ? undefined : t;
      },
      { message: "the standby to show up in pg_stat_replication" },
    );
    expect(sample(text, series)).toBeGreaterThanOrEqual(0);
    // the primary's tables, migrated after the backup, reached the standby by streaming
    const replayed = await waitFor(
      async () => {
        const { rows } = await standby.pool.query<{ n: string | number }>(
          "select count(*) as n from pg_tables where tablename = 'executions'",
        );
        return Number(rows[0]?.n) === 1;
      },
      { message: "the migrations to replay on the standby" },
    );
    expect(replayed).toBe(true);
    expect(
      sample(text, 'vigil_db_table_bytes{table="executions"}'),
    ).toBeGreaterThan(0);
  } finally {
    await standby.close();
    await primary.close();
    await replica.stop();
  }
}, 120_000);
