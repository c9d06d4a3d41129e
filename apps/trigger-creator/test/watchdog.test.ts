import { sql } from "kysely";
import type { Db } from "@vigil/db";
import {
  dbTest,
  insertProject,
  insertSchedule,
  waitFor,
} from "@vigil/db/testing";
import { afterAll, describe, expect } from "vitest";

// The executor as a process, started the way its own tests start it.
import {
  killStartedExecutors,
  startExecutor,
} from "../../executor/test/helpers.js";
import { startCreatorProcess, type CreatorProcess } from "./processes.js";

afterAll(killStartedExecutors);

const episodesOf = (db: Db, scheduleId: number) =>
  db
    .selectFrom("watchdog_episodes")
    .selectAll()
    .where("schedule_id", "=", scheduleId)
    .orderBy("id")
    .execute();

const alertsOf = (db: Db, projectId: string) =>
  db
    .selectFrom("report_outbox")
    .selectAll()
    .where("project_id", "=", projectId)
    .where("kind", "=", "alert")
    .execute();

async function scrape(p: CreatorProcess): Promise<string> {
  const line = await p.waitForLog("serving /health, /ready and /metrics");
  return (await fetch(`${String(line.url)}/metrics`)).text();
}

/** One series' value in a scrape (0: absent). */
function sample(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.split(" ")[1]);
}

const PASSES = 'vigil_watchdog_passes_total{result="ok"}';

describe("the watchdog: silence is not health", () => {
  dbTest(
    "a schedule whose executor pool is stopped opens one episode with exactly one alert, and a finished run closes it",
    { timeout: 60_000 },
    async ({ db, testDatabase }) => {
      const alerting = await insertProject(db, {
        config: {
          data_source: { type: "manual" },
          timeout_seconds: 1,
          alert: { slack_webhook_env: "VIGIL_SECRET_WATCHDOG_WEBHOOK" },
        },
      });
      const quiet = await insertProject(db, {
        config: { data_source: { type: "manual" }, timeout_seconds: 1 },
      });
      const s = await insertSchedule(db, alerting.id, {
        cron: "*/2 * * * * *",
      });
      const q = await insertSchedule(db, quiet.id, { cron: "*/2 * * * * *" });
      let creator: CreatorProcess | undefined;
      try {
        // the deadline of a fire time is 1 s timeout + 1 s grace; no executor runs
        creator = startCreatorProcess(testDatabase.url, {
          POLL_INTERVAL_MS: "300",
          WATCHDOG_INTERVAL_MS: "300",
          WATCHDOG_GRACE_SECONDS: "1",
          METRICS_HOST: "127.0.0.1",
        });
        await creator.waitForLog("became leader");
        const [opened] = await waitFor(
          async () => {
            const rows = await episodesOf(db, s.id);
            return rows.length > 0 && rows[0]!.alerted_at !== null
              ? rows
              : undefined;
          },
          { timeoutMs: 20_000, message: "an alerted episode" },
        );
        expect(opened!.reason).toBe("missed");
        expect(opened!.detail).toMatch(/not claimed by any executor/);
        expect(opened!.closed_at).toBeNull();
        expect(opened!.last_finished_at).toBeNull();
        // more passes see the same silence: still one episode, still one alert
        const passesBefore = sample(await scrape(creator), PASSES);
        await waitFor(
          async () =>
            sample(await scrape(creator!), PASSES) >= passesBefore + 3,
          { timeoutMs: 10_000, message: "three more watchdog passes" },
        );
        expect(await episodesOf(db, s.id)).toHaveLength(1);
        const alerts = await alertsOf(db, alerting.id);
        expect(alerts).toHaveLength(1);
        expect(alerts[0]!.idempotency_key).toBe(`watchdog:${opened!.id}`);
        expect(alerts[0]!.target_env).toBe("VIGIL_SECRET_WATCHDOG_WEBHOOK");
        expect(alerts[0]!.execution_id).toBeNull();
        const payload = alerts[0]!.payload as {
          text: string;
          watchdog: { reason: string; schedule_id: number };
        };
        expect(payload.text).toContain(`Vigil watchdog: ${alerting.name}`);
        expect(payload.watchdog).toMatchObject({
          reason: "missed",
          schedule_id: s.id,
        });
        // a project without `alert` gets its episode, and no alert
        const [quietEpisode] = await waitFor(
          async () => {
            const rows = await episodesOf(db, q.id);
            return rows.length > 0 ? rows : undefined;
          },
          { timeoutMs: 10_000, message: "the quiet project's episode" },
        );
        expect(quietEpisode!.alerted_at).toBeNull();
        expect(await alertsOf(db, quiet.id)).toEqual([]);

        const metrics = await scrape(creator);
        expect(metrics).toMatch(
          /^vigil_watchdog_episodes_opened_total\{reason="missed"\} 2$/m,
        );
        expect(metrics).toMatch(
          /^vigil_watchdog_open_episodes\{reason="missed"\} 2$/m,
        );
        // with nobody running them, older fire times get skipped by the misfire policy
        await waitFor(
          async () =>
            sample(
              await scrape(creator!),
              'vigil_skipped_runs_total{reason="misfire"}',
            ) > 0,
          { timeoutMs: 15_000, message: "a misfire skip counted" },
        );

        // pausing a schedule closes its episode
        await db
          .updateTable("schedules")
          .set({ is_active: false })
          .where("id", "=", q.id)
          .execute();
        const [paused] = await waitFor(
          async () => {
            const rows = await episodesOf(db, q.id);
            return rows[0]?.closed_at ? rows : undefined;
          },
          {
            timeoutMs: 10_000,
            message: "the paused schedule's episode closed",
          },
        );
        expect(paused!.close_reason).toBe("schedule_paused");

        // the executors come back: a run finishes and the episode closes as recovered
        startExecutor(testDatabase.url, {
          EXECUTOR_RUNNER: "noop",
          POLL_INTERVAL_MS: "200",
        });
        const [closed] = await waitFor(
          async () => {
            const rows = await episodesOf(db, s.id);
            return rows[0]?.closed_at ? rows : undefined;
          },
          { timeoutMs: 20_000, message: "the episode closed" },
        );
        expect(closed!.close_reason).toBe("recovered");
        expect(await alertsOf(db, alerting.id)).toHaveLength(1);
        const { rows: open } = await sql<{ n: number }>`
          select count(*)::int as n from watchdog_episodes
          where closed_at is null`.execute(db);
        expect(open[0]!.n).toBe(0);
      } finally {
        creator?.child.kill("SIGKILL");
        await killStartedExecutors();
      }
    },
  );
});
