import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

import {
  dbTest,
  insertProject,
  insertTriggers,
  promtoolCheckMetrics,
  promtoolMissing,
  promtoolTitle,
  waitFor,
} from "@vigil/db/testing";
import { afterEach, describe, expect } from "vitest";

import {
  killStartedExecutors,
  startExecutor,
  type ExecutorProcess,
} from "./helpers.js";

const CLEANER = fileURLToPath(
  new URL("../../cleaner/dist/main.js", import.meta.url),
);
const RUNS = 6;

afterEach(killStartedExecutors);

/** The executor's /health, /ready, /metrics address, from its start-up log line. */
async function opsUrl(p: ExecutorProcess): Promise<string> {
  const line = await waitFor(
    () =>
      p.logs
        .map((l) => JSON.parse(l) as { msg?: string; url?: string })
        .find((l) => l.msg === "serving /health, /ready and /metrics"),
    {
      message: `the ops server of ${p.workerId} (${p.logs.slice(-3).join(" ")})`,
    },
  );
  return String(line.url);
}

/** Sum of every series of `name` in a scrape (labels aside). */
function total(text: string, name: string): number {
  return text
    .split("\n")
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0);
}

const scrape = async (url: string) => (await fetch(`${url}/metrics`)).text();

describe("executor /health, /ready and /metrics", () => {
  dbTest(
    promtoolTitle(
      "counts runs in-process: the executions counter does not go down when the cleaner prunes executions",
    ),
    async ({ db, testDatabase, skip }) => {
      expect(existsSync(CLEANER), `${CLEANER} is missing: build first`).toBe(
        true,
      );
      const project = await insertProject(db, {
        config: { data_source: { type: "manual" }, max_concurrency: 100 },
      });
      const executor = startExecutor(testDatabase.url, {
        EXECUTOR_RUNNER: "noop",
        METRICS_PORT: "0",
        METRICS_HOST: "127.0.0.1",
      });
      const url = await opsUrl(executor);
      expect((await fetch(`${url}/health`)).status).toBe(200);
      const ready = await fetch(`${url}/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        checks: { database: "ok", loops: "ok" },
      });

      await insertTriggers(db, project.id, RUNS, {
        fire_at: new Date(Date.now() - 1000),
        concurrency_policy: "allow",
      });
      const before = await waitFor(
        async () => {
          const text = await scrape(url);
          return total(text, "vigil_executions_total") === RUNS
            ? text
            : undefined;
        },
        { message: `${RUNS} executions counted` },
      );
      expect(before).toContain(
        `vigil_executions_total{project="${project.id}",outcome="succeeded"} ${RUNS}`,
      );
      expect(total(before, "vigil_claims_total")).toBe(RUNS);
      expect(total(before, "vigil_execution_duration_seconds_count")).toBe(
        RUNS,
      );
      expect(total(before, "vigil_execution_start_lag_seconds_count")).toBe(
        RUNS,
      );
      expect(before).toContain("# TYPE vigil_claim_duration_seconds histogram");
      expect(before).toContain("vigil_executor_process_cpu");
      // database-wide gauges are the leading trigger-creator's, not every executor's
      expect(before).not.toContain("vigil_queue_depth");

      // one cleaner pass keeping one execution per project
      const cleaner = spawn(process.execPath, [CLEANER, "--once"], {
        env: {
          PATH: process.env.PATH,
          DATABASE_URL: testDatabase.url,
          RETENTION_KEEP_LAST: "1",
          LOG_LEVEL: "warn",
        },
        stdio: "ignore",
      });
      const [code] = await once(cleaner, "exit");
      expect(code).toBe(0);
      const left = await db
        .selectFrom("executions")
        .select("id")
        .where("project_id", "=", project.id)
        .execute();
      expect(left).toHaveLength(1);

      const after = await scrape(url);
      expect(total(after, "vigil_executions_total")).toBe(RUNS);
      expect(total(after, "vigil_execution_duration_seconds_count")).toBe(RUNS);

      const missing = promtoolMissing();
      if (missing !== undefined) {
        skip(`promtool check metrics not run: ${missing}`);
      }
      const check = await promtoolCheckMetrics(after);
      expect(check.output).toBe("");
      expect(check.code).toBe(0);
    },
  );
});
