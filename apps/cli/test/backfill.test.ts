import { spawn, type ChildProcess } from "node:child_process";

import type { Db } from "@vigil/db";
import { dbTest, insertProject, waitFor } from "@vigil/db/testing";
import { sql } from "kysely";
import { afterAll, describe, expect } from "vitest";

import { appEntry } from "../src/paths.js";
import { runCliOn as vigil } from "./run-cli.js";

const children: ChildProcess[] = [];
afterAll(async () => {
  await Promise.all(
    children
      .filter((c) => c.exitCode === null && c.signalCode === null)
      .map((c) => {
        c.kill("SIGTERM");
        return new Promise((resolve) => c.once("exit", resolve));
      }),
  );
});

interface Child {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(app: string, args: string[], databaseUrl: string): Child {
  const child = spawn(process.execPath, [appEntry(app), ...args], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: databaseUrl,
      METRICS_PORT: "0",
      POLL_INTERVAL_MS: "200",
      LEADER_RETRY_MS: "300",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout?.on("data", (b: Buffer) => (output += b.toString()));
  child.stderr?.on("data", (b: Buffer) => (output += b.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  return { child, output: () => output, exited };
}

const unfinishedOf = async (db: Db, projectId: string) =>
  db
    .selectFrom("triggers")
    .select(["id", "status", "source", "window_start"])
    .where("project_id", "=", projectId)
    .where("status", "in", ["pending", "running"])
    .orderBy("window_start")
    .execute();

/**
 * Stands in for an executor (none runs here): ends the backfill's unfinished runs, the window
 * starting at `fail` as failed, the others as succeeded.
 */
async function finishRuns(
  db: Db,
  projectId: string,
  fail?: string,
): Promise<number> {
  const { rows } = await sql<{ id: number }>`
    update triggers set status = case when window_start = ${fail ?? null}::timestamptz
                                      then 'failed' else 'succeeded' end,
                        finished_at = now()
    where project_id = ${projectId} and status in ('pending', 'running')
    returning id`.execute(db);
  return rows.length;
}

describe("vigil backfill", () => {
  dbTest(
    "with a real trigger-creator: at most --concurrency runs unfinished, progress lines until done, exit 0 when all succeeded and 1 when one failed",
    async ({ db, testDatabase }) => {
      const url = testDatabase.url;
      start("trigger-creator", [], url);
      for (const [project, fail, code] of [
        ["bf-cli-ok", undefined, 0],
        ["bf-cli-failed", "2026-11-01T02:00:00.000Z", 1],
      ] as const) {
        await insertProject(db, { id: project });
        const cli = start(
          "cli",
          [
            "backfill",
            project,
            "--from",
            "2026-11-01T00:00:00Z",
            "--to",
            "2026-11-01T05:00:00Z",
            "--step",
            "PT1H",
            "--concurrency",
            "2",
          ],
          url,
        );
        let seen = 0;
        while (seen < 5) {
          const unfinished = await waitFor(
            async () => {
              const rows = await unfinishedOf(db, project);
              return rows.length > 0 ? rows : undefined;
            },
            {
              timeoutMs: 15_000,
              message: `backfill runs of ${project}; the CLI said:\n${cli.output()}`,
            },
          );
          expect(unfinished.length).toBeLessThanOrEqual(2);
          expect(unfinished.every((t) => t.source === "backfill")).toBe(true);
          seen += await finishRuns(db, project, fail);
        }
        expect(await cli.exited, cli.output()).toBe(code);
        const out = cli.output();
        expect(out).toMatch(
          new RegExp(
            `^backfill \\d+ of ${project}: 5 window\\(s\\) of PT1H from 2026-11-01T00:00:00.000Z to 2026-11-01T05:00:00.000Z, 2 at a time$`,
            "m",
          ),
        );
        // not a TTY: plain lines, no carriage returns, the last one the final state
        expect(out).not.toContain("\r");
        const last = out.trim().split("\n").at(-1)!;
        expect(last).toMatch(/\[#{30}\] 5\/5 done: /);
        expect(last).toContain(
          code === 0 ? "succeeded 5, failed 0" : "succeeded 4, failed 1",
        );
        const triggers = await db
          .selectFrom("triggers")
          .select("window_start")
          .where("project_id", "=", project)
          .orderBy("window_start")
          .execute();
        expect(triggers.map((t) => t.window_start?.toISOString())).toEqual([
          "2026-11-01T00:00:00.000Z",
          "2026-11-01T01:00:00.000Z",
          "2026-11-01T02:00:00.000Z",
          "2026-11-01T03:00:00.000Z",
          "2026-11-01T04:00:00.000Z",
        ]);
      }

      // the same range again adds nothing and is done at once
      const repeat = await vigil(
        [
          "backfill",
          "bf-cli-ok",
          "--from",
          "2026-11-01T00:00:00Z",
          "--to",
          "2026-11-01T05:00:00Z",
          "--step",
          "PT1H",
        ],
        url,
      );
      expect(repeat.code, repeat.stdout + repeat.stderr).toBe(0);
      expect(repeat.stdout).toContain(
        "5 window(s) were not run again: an earlier backfill already has them",
      );
      const { n } = await db
        .selectFrom("triggers")
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .where("project_id", "=", "bf-cli-ok")
        .executeTakeFirstOrThrow();
      expect(Number(n)).toBe(5);
    },
  );

  dbTest(
    "Ctrl-C stops watching, says the backfill keeps running and how to cancel it",
    async ({ db, testDatabase }) => {
      await insertProject(db, { id: "bf-cli-interrupted" });
      const cli = start(
        "cli",
        [
          "backfill",
          "bf-cli-interrupted",
          "--from",
          "2026-11-01T00:00:00Z",
          "--to",
          "2026-11-02T00:00:00Z",
          "--step",
          "PT1H",
        ],
        testDatabase.url,
      );
      await waitFor(() => /\[\.{30}\] 0\/24 running/.test(cli.output()), {
        timeoutMs: 15_000,
        message: `the first progress line; the CLI said:\n${cli.output()}`,
      });
      cli.child.kill("SIGINT");
      expect(await cli.exited).toBe(130);
      const id = /^backfill (\d+) of/m.exec(cli.output())?.[1];
      expect(cli.output()).toContain(
        `stopped watching; backfill ${id} keeps running. Watch it with GET /backfills/${id}, cancel it with POST /backfills/${id}/cancel`,
      );
      const row = await db
        .selectFrom("backfills")
        .select("status")
        .where("id", "=", Number(id))
        .executeTakeFirstOrThrow();
      expect(row.status).toBe("running");
    },
  );

  dbTest(
    "bad options are a usage error (exit 2) naming the option; an unknown project is exit 1; nothing is written",
    async ({ db, testDatabase }) => {
      await insertProject(db, { id: "bf-cli-bad" });
      const range = [
        "--from",
        "2026-11-01T00:00:00Z",
        "--to",
        "2026-11-02T00:00:00Z",
      ];
      const cases: Array<[string[], string]> = [
        [
          ["--to", "2026-11-02T00:00:00Z", "--step", "PT1H"],
          "backfill needs --from",
        ],
        [[...range], "backfill needs --step"],
        [[...range, "--step", "P1M"], "--step: expected an ISO 8601 duration"],
        [
          [...range, "--step", "PT1S"],
          "--step: the range makes 86400 windows of PT1S; a backfill has at most 10000",
        ],
        [
          [
            "--from",
            "2026-11-02T00:00:00Z",
            "--to",
            "2026-11-01T00:00:00Z",
            "--step",
            "PT1H",
          ],
          "--to: to must be after from",
        ],
        [
          [
            "--from",
            "last week",
            "--to",
            "2026-11-01T00:00:00Z",
            "--step",
            "PT1H",
          ],
          "--from:",
        ],
        [
          [...range, "--step", "PT1H", "--concurrency", "two"],
          "--concurrency: expected a whole number",
        ],
        [[...range, "--step", "PT1H", "--concurrency", "0"], "--concurrency:"],
        [
          [...range, "--step", "PT1H", "--timeout", "5"],
          "backfill does not take --timeout",
        ],
      ];
      for (const [args, message] of cases) {
        const r = await vigil(
          ["backfill", "bf-cli-bad", ...args],
          testDatabase.url,
        );
        expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toContain(message);
      }
      const absent = await vigil(
        ["backfill", "bf-cli-absent", ...range, "--step", "PT1H"],
        testDatabase.url,
      );
      expect(absent.code).toBe(1);
      expect(absent.stderr).toContain('no project "bf-cli-absent"');
      expect(
        await db
          .selectFrom("backfills")
          .select("id")
          .where("project_id", "in", ["bf-cli-bad", "bf-cli-absent"])
          .execute(),
      ).toEqual([]);
    },
  );
});
