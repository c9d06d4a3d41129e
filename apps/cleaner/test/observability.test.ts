import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

import {
  dbTest,
  insertProject,
  promtoolCheckMetrics,
  promtoolMissing,
  promtoolTitle,
  waitFor,
} from "@vigil/db/testing";
import { expect } from "vitest";

import { seedOldHistory } from "./helpers.js";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));

dbTest(
  promtoolTitle(
    "the cleaner process serves /health, /ready and /metrics on its own port, counting the rows it pruned by table",
  ),
  async ({ db, testDatabase, skip }) => {
    expect(existsSync(MAIN), `${MAIN} is missing: build first`).toBe(true);
    const p = await insertProject(db);
    await seedOldHistory(db, {
      projectId: p.id,
      count: 30,
      daysAgo: 60,
      findingsPer: 1,
    });
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: testDatabase.url,
        CLEANER_INTERVAL_SECONDS: "1",
        RETENTION_KEEP_LAST: "10",
        METRICS_PORT: "0",
        METRICS_HOST: "127.0.0.1",
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
      const url = await waitFor(
        () =>
          output
            .split("\n")
            .filter((l) => l.startsWith("{"))
            .map((l) => JSON.parse(l) as { msg?: string; url?: string })
            .find((l) => l.msg === "serving /health, /ready and /metrics")?.url,
        { message: `the ops server's address (${output.slice(-300)})` },
      );
      expect((await fetch(`${url}/health`)).status).toBe(200);
      const ready = await fetch(`${url}/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        checks: { database: "ok", loops: "ok" },
      });
      const text = await waitFor(
        async () => {
          const t = await (await fetch(`${url}/metrics`)).text();
          return t.includes('vigil_pruned_rows_total{table="executions"} 29')
            ? t
            : undefined;
        },
        { timeoutMs: 15_000, message: "the pruned executions counted" },
      );
      expect(text).toContain('vigil_pruned_rows_total{table="findings"} 29');
      expect(text).toMatch(/vigil_cleaner_passes_total\{result="ok"\} [1-9]/);
      expect(text).toContain("vigil_cleaner_pass_duration_seconds_count");
      expect(text).toContain("vigil_cleaner_process_cpu");

      const missing = promtoolMissing();
      if (missing !== undefined) {
        skip(`promtool check metrics not run: ${missing}`);
      }
      const check = await promtoolCheckMetrics(text);
      expect(check.output).toBe("");
      expect(check.code).toBe(0);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited, output).toBe(0);
  },
);
