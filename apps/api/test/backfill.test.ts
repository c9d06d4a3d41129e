/* eslint-disable @typescript-eslint/no-unsafe-member-access -- tests read response bodies (typed any) freely */
import { BACKFILL_MAX_WINDOWS, BackfillResponseSchema } from "@vigil/contracts";
import {
  apiTokenSecretHash,
  insertApiToken,
  newApiTokenSecret,
  type Db,
} from "@vigil/db";
import { insertProject } from "@vigil/db/testing";
import { sql } from "kysely";
import { describe, expect, onTestFinished } from "vitest";

import { apiTest as test, startTestApi } from "./helpers.js";

const RANGE = {
  from: "2026-11-01T00:00:00Z",
  to: "2026-11-02T00:00:00Z",
  step: "PT6H",
};

/** Gives a backfill triggers in the statuses named, as its top-ups and executors would. */
async function giveTriggers(
  db: Db,
  backfillId: number,
  statuses: string[],
): Promise<void> {
  const b = await db
    .selectFrom("backfills")
    .selectAll()
    .where("id", "=", backfillId)
    .executeTakeFirstOrThrow();
  for (const [n, status] of statuses.entries()) {
    const start = new Date(b.range_start.getTime() + n * b.step_ms);
    await sql`
      insert into triggers (project_id, fire_at, available_at, source, status, window_start, window_end,
                            backfill_id, claimed_by, lease_expires_at, finished_at)
      values (${b.project_id}, now(), now(), 'backfill', ${status}, ${start}::timestamptz,
              ${new Date(start.getTime() + b.step_ms)}::timestamptz, ${b.id},
              ${status === "running" ? "w-test" : null},
              ${status === "running" ? sql`now() + interval '1 minute'` : null},
              ${["pending", "running"].includes(status) ? null : sql`now()`})`.execute(
      db,
    );
  }
  await db
    .updateTable("backfills")
    .set({ next_window: statuses.length })
    .where("id", "=", backfillId)
    .execute();
}

describe("backfills over the API", () => {
  test("POST /projects/{id}/backfill answers 201 with the backfill; GET /backfills/{id} counts its windows by status", async ({
    api,
    db,
  }) => {
    await insertProject(db, { id: "bf-progress" });
    const res = await api.call("POST", "/projects/bf-progress/backfill", {
      body: { ...RANGE, concurrency: 2 },
    });
    expect(res.status, res.text).toBe(201);
    expect(BackfillResponseSchema.parse(res.json)).toMatchObject({
      project_id: "bf-progress",
      from: "2026-11-01T00:00:00.000Z",
      to: "2026-11-02T00:00:00.000Z",
      step: "PT6H",
      concurrency: 2,
      status: "running",
      total: 4,
      created: 0,
      remaining: 4,
      requested_by: "api:api-token-1",
    });

    await giveTriggers(db, res.json.id as number, [
      "succeeded",
      "failed",
      "running",
    ]);
    const progress = await api.call("GET", `/backfills/${res.json.id}`);
    expect(progress.status, progress.text).toBe(200);
    expect(progress.json).toMatchObject({
      status: "running",
      total: 4,
      created: 3,
      remaining: 1,
      existing: 0,
      pending: 0,
      running: 1,
      succeeded: 1,
      failed: 1,
      skipped: 0,
      cancelled: 0,
    });

    // concurrency defaults to 1
    const one = await api.call("POST", "/projects/bf-progress/backfill", {
      body: RANGE,
    });
    expect(one.json.concurrency).toBe(1);

    expect((await api.call("GET", "/backfills/999999")).status).toBe(404);
    const missing = await api.call("POST", "/projects/bf-absent/backfill", {
      body: RANGE,
    });
    expect(missing.status).toBe(404);
  });

  test("bad input is a 422 naming the field, and writes nothing", async ({
    api,
    db,
  }) => {
    await insertProject(db, { id: "bf-bad" });
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ ...RANGE, from: undefined }, "from", ""],
      [{ ...RANGE, from: "yesterday" }, "from", ""],
      [{ ...RANGE, to: "2026-13-01T00:00:00Z" }, "to", ""],
      [{ ...RANGE, to: RANGE.from }, "to", "to must be after from"],
      [{ ...RANGE, step: "P1M" }, "step", "ISO 8601 duration"],
      [{ ...RANGE, step: "PT0S" }, "step", "ISO 8601 duration"],
      [{ ...RANGE, step: 3600 }, "step", ""],
      [
        { ...RANGE, step: "PT1S" },
        "step",
        `the range makes 86400 windows of PT1S; a backfill has at most ${BACKFILL_MAX_WINDOWS}`,
      ],
      [{ ...RANGE, concurrency: 0 }, "concurrency", ""],
      [{ ...RANGE, concurrency: 1.5 }, "concurrency", ""],
      [{ ...RANGE, concurrency: 101 }, "concurrency", ""],
      [{ ...RANGE, window: "x" }, "(root)", "unknown key: window"],
    ];
    for (const [body, path, message] of cases) {
      const res = await api.call("POST", "/projects/bf-bad/backfill", { body });
      const what = `${JSON.stringify(body)}: ${res.text}`;
      expect(res.status, what).toBe(422);
      expect(res.json.error.code, what).toBe("validation_failed");
      expect(res.json.error.details, what).toContainEqual(
        expect.objectContaining({
          path,
          message: expect.stringContaining(message) as unknown,
        }),
      );
    }
    const notJson = await api.call("POST", "/projects/bf-bad/backfill", {
      raw: "{",
      headers: { "content-type": "application/json" },
    });
    expect(notJson.status).toBeLessThan(500);
    expect(notJson.status).toBeGreaterThanOrEqual(400);
    // a bad path parameter is a 400, as for every `:id` of the API
    const badId = await api.call("GET", "/backfills/not-a-number");
    expect(badId.status, badId.text).toBe(400);
    expect(badId.json.error.details).toContainEqual(
      expect.objectContaining({ path: "id" }),
    );
    const written = await db
      .selectFrom("backfills")
      .select("id")
      .where("project_id", "=", "bf-bad")
      .execute();
    expect(written).toEqual([]);
  });

  test("cancel: pending triggers are cancelled, running ones go on; a repeat changes nothing; a done backfill is a 409", async ({
    api,
    db,
  }) => {
    await insertProject(db, { id: "bf-cancel" });
    const res = await api.call("POST", "/projects/bf-cancel/backfill", {
      body: { ...RANGE, concurrency: 3 },
    });
    await giveTriggers(db, res.json.id as number, [
      "succeeded",
      "running",
      "pending",
    ]);
    const cancelled = await api.call(
      "POST",
      `/backfills/${res.json.id}/cancel`,
    );
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.json).toMatchObject({
      status: "cancelled",
      succeeded: 1,
      running: 1,
      pending: 0,
      cancelled: 1,
      remaining: 1,
    });
    expect(cancelled.json.finished_at).not.toBeNull();
    const again = await api.call("POST", `/backfills/${res.json.id}/cancel`);
    expect(again.status).toBe(200);
    expect(again.json).toEqual({
      ...cancelled.json,
      updated_at: again.json.updated_at,
    });

    const done = await api.call("POST", "/projects/bf-cancel/backfill", {
      body: {
        ...RANGE,
        from: "2025-01-01T00:00:00Z",
        to: "2025-01-01T06:00:00Z",
      },
    });
    await db
      .updateTable("backfills")
      .set({ status: "done", finished_at: new Date(), next_window: 1 })
      .where("id", "=", done.json.id)
      .execute();
    const refused = await api.call("POST", `/backfills/${done.json.id}/cancel`);
    expect(refused.status, refused.text).toBe(409);
    expect(refused.json.error.message).toContain("is done");
    expect((await api.call("POST", "/backfills/999999/cancel")).status).toBe(
      404,
    );
  });

  test("a token limited to other projects cannot see, start or cancel a project's backfill: 404 as if absent", async ({
    dbHandle,
    db,
  }) => {
    // reads need a token here, so the read's project limit applies
    const api = await startTestApi(dbHandle, { readTokenRequired: true });
    onTestFinished(() => api.server.close({ graceMs: 100 }));
    await insertProject(db, { id: "bf-mine" });
    await insertProject(db, { id: "bf-theirs" });
    const secret = newApiTokenSecret();
    await insertApiToken(db, {
      name: "bf-mine-team",
      secretHash: apiTokenSecretHash(secret),
      scopes: ["read", "write"],
      projects: ["bf-mine"],
      createdBy: "test",
      expiresAt: null,
    });
    const theirs = await api.call("POST", "/projects/bf-theirs/backfill", {
      body: RANGE,
    });
    const mine = await api.call("POST", "/projects/bf-mine/backfill", {
      token: secret,
      body: RANGE,
    });
    expect(mine.status, mine.text).toBe(201);
    expect(
      (await api.call("GET", `/backfills/${mine.json.id}`, { token: secret }))
        .status,
    ).toBe(200);

    for (const [method, path] of [
      ["GET", `/backfills/${theirs.json.id}`],
      ["POST", `/backfills/${theirs.json.id}/cancel`],
    ] as const) {
      const res = await api.call(method, path, { token: secret });
      expect(res.status, path).toBe(404);
      expect(res.json.error.message).toBe(
        `backfill ${theirs.json.id} does not exist`,
      );
    }
    const start = await api.call("POST", "/projects/bf-theirs/backfill", {
      token: secret,
      body: RANGE,
    });
    expect(start.status).toBe(404);
    const still = await api.call("GET", `/backfills/${theirs.json.id}`);
    expect(still.json.status).toBe("running");
  });
});
