import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { createDb, type DbHandle } from "@vigil/db";
import { dbTest, waitFor } from "@vigil/db/testing";
import { afterAll, describe, expect } from "vitest";

import { projectBody, startTestApi, type TestApi } from "./helpers.js";

// The trigger-creator as the production process (apps never import each other).
const CREATOR_MAIN = fileURLToPath(
  new URL("../../trigger-creator/dist/main.js", import.meta.url),
);

interface Creator {
  lines: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

function startCreator(databaseUrl: string): Creator {
  if (!existsSync(CREATOR_MAIN)) {
    throw new Error(
      `${CREATOR_MAIN} is missing: build first (npx turbo run build --filter=@vigil/trigger-creator...)`,
    );
  }
  const child = spawn(process.execPath, [CREATOR_MAIN], {
    env: {
      PATH: process.env.PATH ?? "",
      DATABASE_URL: databaseUrl,
      METRICS_PORT: "0",
      LOG_LEVEL: "info",
      POLL_INTERVAL_MS: "100",
      LEADER_RETRY_MS: "300",
      TRIGGER_WRITE_CONCURRENCY: "2",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Array<Record<string, unknown>> = [];
  let buffer = "";
  const take = (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    for (const part of parts.filter((p) => p.trim() !== "")) {
      try {
        lines.push(JSON.parse(part) as Record<string, unknown>);
      } catch {
        lines.push({ level: 60, msg: part });
      }
    }
  };
  child.stdout.on("data", take);
  child.stderr.on("data", take);
  const exited = new Promise<void>((resolve) =>
    child.on("exit", () => resolve()),
  );
  return {
    lines,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Per-second schedules make 450 triggers a full pass: materialization is never idle for long. */
function body(id: string, variant: number) {
  return projectBody(id, {
    schedules: [
      { cron_expression: `${variant % 60} * * * * *`, timezone: "UTC" },
      { cron_expression: "* * * * * *", timezone: "UTC" },
      {
        cron_expression: `*/${(variant % 5) + 2} * * * * *`,
        timezone: "Europe/Berlin",
        concurrency_policy: variant % 2 === 0 ? "forbid" : "allow",
      },
    ],
  });
}

const ERROR_TEXT = /deadlock|foreign key|40P01|23503|violates/i;

describe("project writes while the trigger-creator materializes", () => {
  const handles: DbHandle[] = [];
  const creators: Creator[] = [];
  const apis: TestApi[] = [];
  afterAll(async () => {
    await Promise.all(creators.map((c) => c.stop()));
    await Promise.all(apis.map((a) => a.server.close({ graceMs: 1000 })));
    await Promise.all(handles.map((h) => h.close()));
  });

  dbTest(
    "50 parallel PUTs: no 5xx, one 201 per new id, no deadlock or foreign key error in the creator, consistent triggers",
    { timeout: 150_000 },
    async ({ db, testDatabase }) => {
      const creator = startCreator(testDatabase.url);
      creators.push(creator);
      await waitFor(
        () => creator.lines.find((l) => l.msg === "became leader"),
        {
          message: "the trigger-creator to lead",
        },
      );
      // a pool as wide as the burst, so the writes really run at once
      const handle = createDb({ connectionString: testDatabase.url, max: 50 });
      handles.push(handle);
      const api = await startTestApi(handle);
      apis.push(api);

      const ids = [
        "same",
        "other-1",
        "other-2",
        "other-3",
        "other-4",
        "other-5",
      ];
      // half the burst on one new id, the rest spread over five more
      const targetOf = (i: number) => (i < 25 ? "same" : ids[1 + (i % 5)]!);
      const sent = new Map<string, Set<string>>(
        ids.map((id) => [id, new Set()]),
      );
      const definition = (
        schedules: Array<{ cron_expression: string; timezone: string }>,
      ) =>
        JSON.stringify(
          schedules.map((x) => `${x.cron_expression} ${x.timezone}`).sort(),
        );
      const round = async (offset: number) => {
        const answers = await Promise.all(
          Array.from({ length: 50 }, (_, i) => {
            const id = targetOf(i);
            const b = body(id, offset + i);
            sent.get(id)?.add(definition(b.schedules));
            return api
              .call("PUT", `/projects/${id}`, { body: b })
              .then((r) => ({ id, status: r.status, text: r.text }));
          }),
        );
        return answers;
      };

      for (const offset of [0, 50, 100]) {
        const answers = await round(offset);
        const serverErrors = answers.filter((a) => a.status >= 500);
        expect(serverErrors, JSON.stringify(serverErrors.slice(0, 3))).toEqual(
          [],
        );
        for (const id of ids) {
          const statuses = answers
            .filter((a) => a.id === id)
            .map((a) => a.status)
            .sort();
          const created = offset === 0 ? 1 : 0;
          expect(
            statuses.filter((s) => s === 201),
            id,
          ).toHaveLength(created);
          expect(
            statuses.filter((s) => s === 200),
            id,
          ).toHaveLength(statuses.length - created);
        }
      }

      // suspend and resume, added schedules and a whole project's deletion, all at once,
      // with the creator busy with what the rounds above made
      const doomed = await api.call("PUT", "/projects/doomed", {
        body: body("doomed", 7),
      });
      expect(doomed.status).toBe(201);
      const mixed = await Promise.all([
        ...ids.flatMap((id, i) => [
          api.call("PATCH", `/projects/${id}`, {
            body: { is_active: i % 2 === 0 },
          }),
          api.call("POST", `/projects/${id}/schedules`, {
            body: { cron_expression: "*/2 * * * * *", timezone: "UTC" },
          }),
          api.call("PATCH", `/projects/${id}`, { body: { is_active: true } }),
          api.call("PUT", `/projects/${id}`, { body: body(id, 200 + i) }),
        ]),
        api.call("DELETE", "/projects/doomed"),
      ]);
      const mixedErrors = mixed.filter((r) => r.status >= 300);
      expect(mixedErrors.map((r) => `${r.status} ${r.text}`)).toEqual([]);
      // one more burst of PUTs decides what every project ends as
      const last = await round(300);
      expect(last.filter((a) => a.status !== 200)).toEqual([]);

      // the creator catches up with the last write of every project
      await waitFor(
        async () => {
          const behind = await db
            .selectFrom("schedules")
            .select("id")
            .where((eb) =>
              eb.or([
                eb(
                  "materialized_version",
                  "is distinct from",
                  eb.ref("version"),
                ),
                eb("materialized_until", "is", null),
              ]),
            )
            .execute();
          const orphans = await db
            .selectFrom("triggers")
            .select("id")
            .where("status", "=", "pending")
            .where("schedule_id", "is", null)
            .execute();
          return behind.length === 0 && orphans.length === 0;
        },
        // the machine is shared with other test files: give the creator time
        { timeoutMs: 45_000, message: "the creator to catch up" },
      );

      // every project holds the schedules of one of the bodies sent for it
      for (const id of ids) {
        const schedules = await db
          .selectFrom("schedules")
          .select(["cron_expression", "timezone"])
          .where("project_id", "=", id)
          .orderBy("id")
          .execute();
        expect(sent.get(id)?.has(definition(schedules)), id).toBe(true);
      }
      // pending triggers belong to live schedules, made from their current version, once
      const stale = await db
        .selectFrom("triggers as t")
        .leftJoin("schedules as s", "s.id", "t.schedule_id")
        .select(["t.id", "t.schedule_version", "s.version"])
        .where("t.status", "=", "pending")
        .where((eb) =>
          eb.or([
            eb("s.id", "is", null),
            eb("t.schedule_version", "is distinct from", eb.ref("s.version")),
          ]),
        )
        .execute();
      expect(stale).toEqual([]);
      const live = await db
        .selectFrom("schedules as s")
        .select((eb) => [
          "s.id",
          eb
            .selectFrom("triggers as t")
            .select((e) => e.fn.countAll<string>().as("n"))
            .whereRef("t.schedule_id", "=", "s.id")
            .where("t.status", "=", "pending")
            .as("pending"),
        ])
        .execute();
      expect(live).toHaveLength(ids.length * 3);
      expect(live.filter((s) => Number(s.pending) === 0)).toEqual([]);

      const bad = creator.lines.filter(
        (l) => Number(l.level) >= 40 || ERROR_TEXT.test(JSON.stringify(l)),
      );
      expect(bad).toEqual([]);
    },
  );
});
