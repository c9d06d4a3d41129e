import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { dbTest, insertProject, waitFor } from "@vigil/db/testing";
import { expect } from "vitest";

import { countRows, seedOldHistory } from "./helpers.js";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));

dbTest(
  "the cleaner process records a pass in maintenance_runs and exits 0 on SIGTERM",
  async ({ db, testDatabase }) => {
    expect(
      existsSync(MAIN),
      `${MAIN} is missing: build first (npx turbo run build --filter=@vigil/cleaner...)`,
    ).toBe(true);
    const p = await insertProject(db);
    await seedOldHistory(db, {
      projectId: p.id,
      count: 50,
      daysAgo: 60,
      findingsPer: 1,
    });
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: testDatabase.url,
        METRICS_PORT: "0",
        CLEANER_INTERVAL_SECONDS: "1",
        RETENTION_KEEP_LAST: "10",
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on("exit", (code) => resolve(code)),
    );
    try {
      const run = await waitFor(
        () =>
          db
            .selectFrom("maintenance_runs")
            .selectAll()
            .where("finished_at", "is not", null)
            .orderBy("id")
            .executeTakeFirst(),
        { timeoutMs: 15_000, message: "a finished maintenance_runs row" },
      );
      expect(run.error).toBeNull();
      expect(run.pruned).toMatchObject({ executions: 49, findings: 49 });
      expect(await countRows(db, "executions", p.id)).toBe(1);
      const worker = await db
        .selectFrom("workers")
        .selectAll()
        .where("app", "=", "cleaner")
        .executeTakeFirst();
      expect(worker?.id).toBe(run.worker_id);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited, output).toBe(0);
    expect(output).toContain("cleaning pass finished");
    const worker = await db
      .selectFrom("workers")
      .select("status")
      .where("app", "=", "cleaner")
      .executeTakeFirst();
    expect(worker?.status).toBe("stopped");
  },
);
