import { StatusResponseSchema } from "@vigil/contracts";
import {
  apiTokenSecretHash,
  insertApiToken,
  newApiTokenSecret,
} from "@vigil/db";
import { insertProject, insertSchedule } from "@vigil/db/testing";
import { describe, expect } from "vitest";

import { apiTest as test, startTestApi } from "./helpers.js";

describe("GET /status and the watchdog", () => {
  test("lists open episodes with project, schedule, since and reason, not closed ones, and only the projects a token may see", async ({
    api,
    db,
    dbHandle,
  }) => {
    const seen = await insertProject(db, { name: "Silent Project" });
    const other = await insertProject(db);
    const s = await insertSchedule(db, seen.id, {
      cron: "0 * * * *",
      timezone: "Europe/Berlin",
    });
    const t = await insertSchedule(db, other.id, { cron: "0 * * * *" });
    const [open] = await db
      .insertInto("watchdog_episodes")
      .values([
        {
          project_id: seen.id,
          schedule_id: s.id,
          opened_at: "2026-03-02T10:05:00Z",
          expected_at: "2026-03-02T10:00:00Z",
          last_finished_at: "2026-03-02T09:00:00Z",
          reason: "missed",
          detail: "1 due trigger(s) not claimed by any executor",
        },
        {
          project_id: other.id,
          schedule_id: t.id,
          opened_at: "2026-03-02T10:06:00Z",
          expected_at: "2026-03-02T10:00:00Z",
          reason: "stuck",
          detail: "a run claimed at 2026-03-02T10:00:01Z is still running",
        },
        {
          project_id: seen.id,
          schedule_id: s.id,
          opened_at: "2026-03-01T10:05:00Z",
          closed_at: "2026-03-01T11:00:00Z",
          close_reason: "recovered",
          expected_at: "2026-03-01T10:00:00Z",
          reason: "skipped",
          detail: "skipped 3 time(s)",
        },
      ])
      .returning("id")
      .execute();

    const res = await api.call("GET", "/status");
    expect(res.status, res.text).toBe(200);
    const body = StatusResponseSchema.parse(res.json);
    const ours = body.watchdog.open_episodes.filter((e) =>
      [seen.id, other.id].includes(e.project_id),
    );
    expect(ours.map((e) => e.reason)).toEqual(["missed", "stuck"]);
    expect(ours[0]).toEqual({
      id: open!.id,
      project_id: seen.id,
      project_name: "Silent Project",
      schedule_id: s.id,
      cron_expression: "0 * * * *",
      timezone: "Europe/Berlin",
      since: "2026-03-02T10:05:00.000Z",
      expected_at: "2026-03-02T10:00:00.000Z",
      last_finished_at: "2026-03-02T09:00:00.000Z",
      reason: "missed",
      detail: "1 due trigger(s) not claimed by any executor",
      alerted_at: null,
    });

    const secret = newApiTokenSecret();
    await insertApiToken(db, {
      name: `status-${seen.id}`,
      secretHash: apiTokenSecretHash(secret),
      scopes: ["read"],
      projects: [seen.id],
      createdBy: "test",
      expiresAt: null,
    });
    // reads carry the caller's token only where reads need one
    const strict = await startTestApi(dbHandle, { readTokenRequired: true });
    const limited = await strict.call("GET", "/status", { token: secret });
    await strict.server.close({ graceMs: 1000 });
    expect(limited.status, limited.text).toBe(200);
    const episodes = StatusResponseSchema.parse(limited.json).watchdog
      .open_episodes;
    expect(episodes.map((e) => e.project_id)).toEqual([seen.id]);
  });
});
