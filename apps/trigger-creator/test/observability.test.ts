import {
  dbTest,
  insertProject,
  insertSchedule,
  promtoolCheckMetrics,
  promtoolMissing,
  promtoolTitle,
  waitFor,
} from "@vigil/db/testing";
import { describe, expect } from "vitest";

import { startCreatorProcess, type CreatorProcess } from "./processes.js";

const DB_WIDE = [
  "vigil_queue_depth",
  "vigil_oldest_due_lag_seconds",
  "vigil_open_discrepancies",
  "vigil_live_workers",
  "vigil_report_outbox",
  "vigil_cleaner_last_pass_timestamp_seconds",
  "vigil_db_table_bytes",
  "vigil_db_index_bytes",
  "vigil_db_dead_tuples",
  "vigil_db_last_autovacuum_age_seconds",
  "vigil_db_oldest_transaction_age_seconds",
  "vigil_db_replication_lag_seconds",
];

/** The process's /health, /ready, /metrics address, from its start-up log line. */
async function opsUrl(p: CreatorProcess): Promise<string> {
  const line = await p.waitForLog("serving /health, /ready and /metrics");
  return String(line.url);
}

const scrape = async (url: string) => (await fetch(`${url}/metrics`)).text();

/** One series' value in a scrape (undefined: absent). */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.split(" ")[1]);
}

describe("trigger-creator /health, /ready and /metrics", () => {
  dbTest(
    promtoolTitle(
      "each process serves its own port; the database-wide gauges come only from the leader, and move with leadership",
    ),
    async ({ db, testDatabase, skip }) => {
      const started: CreatorProcess[] = [];
      try {
        const env = { METRICS_PORT: "0", METRICS_HOST: "127.0.0.1" };
        const leader = startCreatorProcess(testDatabase.url, env);
        started.push(leader);
        await leader.waitForLog("became leader");
        const standby = startCreatorProcess(testDatabase.url, env);
        started.push(standby);
        await standby.waitForLog(
          "standby: another trigger-creator holds the leader lock",
        );
        const [leaderUrl, standbyUrl] = [
          await opsUrl(leader),
          await opsUrl(standby),
        ];
        expect(leaderUrl).not.toBe(standbyUrl);

        const p = await insertProject(db);
        await insertSchedule(db, p.id, { cron: "* * * * *" });
        for (const url of [leaderUrl, standbyUrl]) {
          expect((await fetch(`${url}/health`)).status).toBe(200);
          const ready = await fetch(`${url}/ready`);
          expect(ready.status).toBe(200);
          expect(await ready.json()).toMatchObject({
            checks: { database: "ok", loops: "ok" },
          });
        }

        const leaderText = await waitFor(
          async () => {
            const text = await scrape(leaderUrl);
            return (sample(text, "vigil_triggers_created_total") ?? 0) > 0
              ? text
              : undefined;
          },
          { message: "the leader to count the triggers it created" },
        );
        const standbyText = await scrape(standbyUrl);
        expect(sample(leaderText, "vigil_trigger_creator_leader")).toBe(1);
        expect(sample(standbyText, "vigil_trigger_creator_leader")).toBe(0);
        expect(sample(standbyText, "vigil_triggers_created_total")).toBe(0);
        expect(
          sample(leaderText, "vigil_trigger_creator_lag_seconds"),
        ).toBeLessThan(5);
        expect(leaderText).toContain("vigil_trigger_creator_process_cpu");
        for (const name of DB_WIDE) {
          expect(leaderText, name).toContain(`# TYPE ${name} gauge`);
          expect(standbyText, name).not.toContain(name);
        }
        expect(
          sample(leaderText, 'vigil_live_workers{app="trigger-creator"}'),
        ).toBe(2);
        const triggerBytes = sample(
          leaderText,
          'vigil_db_table_bytes{table="triggers"}',
        );
        const triggerIndexBytes = sample(
          leaderText,
          'vigil_db_index_bytes{table="triggers"}',
        );
        expect(triggerIndexBytes).toBeGreaterThan(0);
        expect(triggerBytes).toBeGreaterThan(triggerIndexBytes ?? 0);
        expect(
          sample(leaderText, 'vigil_db_dead_tuples{table="triggers"}'),
        ).toBeGreaterThanOrEqual(0);
        expect(
          sample(leaderText, "vigil_db_oldest_transaction_age_seconds"),
        ).toBeGreaterThanOrEqual(0);
        // no standby: the gauge is declared but has no series
        expect(leaderText).not.toContain("vigil_db_replication_lag_seconds{");

        const missing = promtoolMissing();
        if (missing === undefined) {
          for (const text of [leaderText, standbyText]) {
            const check = await promtoolCheckMetrics(text);
            expect(check.output).toBe("");
            expect(check.code).toBe(0);
          }
        }

        // the standby takes the lock, and with it the one copy of the gauges
        leader.child.kill("SIGKILL");
        await standby.waitForLog("became leader", 10_000);
        const taken = await scrape(standbyUrl);
        expect(sample(taken, "vigil_trigger_creator_leader")).toBe(1);
        expect(taken).toContain("# TYPE vigil_queue_depth gauge");

        standby.child.kill("SIGTERM");
        expect(await standby.exited).toBe(0);
        if (missing !== undefined) {
          skip(`promtool check metrics not run: ${missing}`);
        }
      } finally {
        for (const p of started) {
          p.child.kill("SIGKILL");
        }
      }
    },
  );
});
