import { readFile } from "node:fs/promises";

import { afterAll, expect } from "vitest";

import { dbTest } from "@vigil/db/testing";

import {
  createProject,
  explain,
  runProject,
  sharedExecutor,
} from "./fixtures/hostile/harness.js";
import { killStartedExecutors } from "./helpers.js";

// Data sources answer whatever their authors make them answer. Neither 1,000 rows of 8 MiB
// (8 GiB) nor 10,000 rows just under the row limit (9 GB) may reach the executor's memory:
// the loader stops on the wire and the run fails with the limit it crossed.
afterAll(killStartedExecutors);

const MiB = 1024 ** 2;
const rule = {
  ruleId: "count",
  code: `export function detect(rows) { return [{ key: "rows", message: String(rows.length) }]; }`,
};

async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kib = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kib) * 1024;
}

/** Samples the executor's RSS every 20 ms while `work` runs; returns the peak. */
async function peakRssDuring<T>(
  pid: number,
  work: () => Promise<T>,
): Promise<{ result: T; peak: number }> {
  let peak = await rssBytes(pid);
  let running = true;
  const sampler = (async () => {
    while (running) {
      peak = Math.max(peak, await rssBytes(pid).catch(() => 0));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    return { result: await work(), peak };
  } finally {
    running = false;
    await sampler;
  }
}

dbTest(
  "an 8 GiB SQL answer fails on the byte caps while the executor's RSS stays bounded",
  async ({ db, testDatabase }) => {
    const { executor } = await sharedExecutor(testDatabase.url, {
      VIGIL_SECRET_ROWS_DB_URL: testDatabase.url,
    });
    const sqlProject = (query: string) =>
      createProject(db, [rule], {
        data_source: {
          type: "sql",
          driver: "postgres",
          url_env: "VIGIL_SECRET_ROWS_DB_URL",
          query,
          timeout_seconds: 60,
        },
        timeout_seconds: 60,
      });
    // warm the executor (detector synthesized, slots started) before the baseline
    const warm = await runProject(
      db,
      testDatabase.url,
      await sqlProject("select 1 as n"),
    );
    expect(warm.execution.status, explain(warm, executor)).toBe("success");
    const baseline = await rssBytes(executor.pid);

    const wide = await sqlProject(
      "select repeat('x', 8388608) from generate_series(1, 1000)",
    );
    const rowCap = await peakRssDuring(executor.pid, () =>
      runProject(db, testDatabase.url, wide),
    );
    expect(
      rowCap.result.execution.status,
      explain(rowCap.result, executor),
    ).toBe("failed");
    expect(rowCap.result.execution.error_message).toContain(
      "row 1 is 8 MiB, over the 1 MiB row limit (DATASOURCE_MAX_ROW_BYTES)",
    );

    const many = await sqlProject(
      "select repeat('x', 900000) from generate_series(1, 10000)",
    );
    const runCap = await peakRssDuring(executor.pid, () =>
      runProject(db, testDatabase.url, many),
    );
    expect(
      runCap.result.execution.status,
      explain(runCap.result, executor),
    ).toBe("failed");
    expect(runCap.result.execution.error_message).toMatch(
      /over the 64 MiB per-run limit \(DATASOURCE_MAX_BYTES\)/,
    );

    const after = await runProject(
      db,
      testDatabase.url,
      await sqlProject("select g from generate_series(1, 5) g"),
    );
    expect(after.execution.status, explain(after, executor)).toBe("success");
    expect(after.findings.count?.rows).toBe("5");
    expect(executor.child.exitCode).toBeNull();

    const mib = (bytes: number) => (bytes / MiB).toFixed(0);
    console.log(
      `RESULT executor RSS baseline ${mib(baseline)} MiB; peak during 1000 x 8 MiB ${mib(rowCap.peak)} MiB; peak during 10000 x 0.86 MiB ${mib(runCap.peak)} MiB`,
    );
    expect(rowCap.peak - baseline).toBeLessThan(100 * MiB);
    expect(runCap.peak - baseline).toBeLessThan(200 * MiB);
  },
  120_000,
);
