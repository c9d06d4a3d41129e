/* eslint-disable @typescript-eslint/no-unsafe-member-access -- tests read response bodies (typed any) freely */
import { gzipSync } from "node:zlib";

import {
  ExecutionDetailResponseSchema,
  ReplayResponseSchema,
} from "@vigil/contracts";
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

const WINDOW = {
  start: new Date("2026-11-01T00:00:00Z"),
  end: new Date("2026-11-01T01:00:00Z"),
};

/** A finished execution of the project; with `input`, its input as the executor keeps it. */
async function seedExecution(
  db: Db,
  projectId: string,
  input?: { rows: unknown[] } | { notKept: "too_large" | "pruned_age" },
): Promise<number> {
  const { id } = await db
    .insertInto("executions")
    .values({
      project_id: projectId,
      status: "success",
      scheduled_for: WINDOW.end,
      window_start: WINDOW.start,
      window_end: WINDOW.end,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  if (input !== undefined) {
    const gz =
      "rows" in input
        ? gzipSync(input.rows.map((r) => JSON.stringify(r) + "\n").join(""))
        : null;
    await sql`
      INSERT INTO execution_inputs (execution_id, project_id, window_start, window_end, row_count,
                                    bytes, raw_bytes, rows_gz, not_kept, pruned_at)
      VALUES (${id}, ${projectId}, ${WINDOW.start}, ${WINDOW.end}, 1, ${gz?.length ?? 99_999_999},
              100, ${gz}, ${"notKept" in input ? input.notKept : null},
              ${"notKept" in input && input.notKept === "pruned_age" ? sql`now()` : null})`.execute(
      db,
    );
  }
  return id;
}

describe("replaying an execution over the API", () => {
  test("POST /executions/{id}/replay queues a replay trigger on the stored window; the detail shows the input kept", async ({
    api,
    db,
  }) => {
    await insertProject(db, { id: "rp-ok" });
    const id = await seedExecution(db, "rp-ok", { rows: [{ a: 1 }] });

    const detail = await api.call("GET", `/executions/${id}`);
    expect(detail.status, detail.text).toBe(200);
    const parsed = ExecutionDetailResponseSchema.parse(detail.json);
    expect(parsed.replay_of).toBeNull();
    expect(parsed.input).toMatchObject({
      kept: true,
      row_count: 1,
      window_start: WINDOW.start.toISOString(),
    });

    const res = await api.call("POST", `/executions/${id}/replay`);
    expect(res.status, res.text).toBe(202);
    const trigger = ReplayResponseSchema.parse(res.json);
    expect(trigger).toMatchObject({
      project_id: "rp-ok",
      source: "replay",
      status: "pending",
      replay_of: id,
      window_start: WINDOW.start.toISOString(),
      window_end: WINDOW.end.toISOString(),
    });
    const row = await db
      .selectFrom("triggers")
      .select(["replay_of", "source"])
      .where("id", "=", trigger.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ replay_of: id, source: "replay" });
  });

  test("an execution whose input was not kept, was pruned or was never stored answers 409 saying why", async ({
    api,
    db,
  }) => {
    await insertProject(db, { id: "rp-409" });
    const cases = [
      [
        await seedExecution(db, "rp-409", { notKept: "too_large" }),
        "too_large",
        "EXECUTION_INPUT_MAX_BYTES",
      ],
      [
        await seedExecution(db, "rp-409", { notKept: "pruned_age" }),
        "pruned_age",
        "EXECUTION_INPUT_RETENTION_DAYS",
      ],
      [await seedExecution(db, "rp-409"), "not_recorded", "no stored input"],
    ] as const;
    for (const [id, reason, says] of cases) {
      const res = await api.call("POST", `/executions/${id}/replay`);
      expect(res.status, res.text).toBe(409);
      expect(res.json.error.code).toBe("conflict");
      expect(res.json.error.details).toEqual({ reason });
      expect(res.json.error.message).toContain(says);
      const detail = await api.call("GET", `/executions/${id}`);
      expect(detail.json.input).toMatchObject({ kept: false, reason });
    }
    const made = await db
      .selectFrom("triggers")
      .select("id")
      .where("project_id", "=", "rp-409")
      .execute();
    expect(made).toEqual([]);
  });

  test("bad and unknown execution ids answer 4xx, never 5xx", async ({
    api,
  }) => {
    for (const [path, status] of [
      ["/executions/999999/replay", 404],
      ["/executions/abc/replay", 400],
      ["/executions/-1/replay", 400],
      ["/executions/1e3/replay", 400],
      ["/executions/99999999999999999999999/replay", 400],
    ] as const) {
      const res = await api.call("POST", path);
      expect(res.status, `${path}: ${res.text}`).toBe(status);
    }
  });

  test("a token limited to other projects gets the 404 of an absent execution and queues nothing", async ({
    dbHandle,
    db,
  }) => {
    const api = await startTestApi(dbHandle, { readTokenRequired: true });
    onTestFinished(() => api.server.close({ graceMs: 100 }));
    await insertProject(db, { id: "rp-mine" });
    await insertProject(db, { id: "rp-theirs" });
    const theirs = await seedExecution(db, "rp-theirs", { rows: [{ a: 1 }] });
    const secret = newApiTokenSecret();
    await insertApiToken(db, {
      name: "rp-mine-team",
      secretHash: apiTokenSecretHash(secret),
      scopes: ["read", "write"],
      projects: ["rp-mine"],
      createdBy: "test",
      expiresAt: null,
    });
    const res = await api.call("POST", `/executions/${theirs}/replay`, {
      token: secret,
    });
    expect(res.status).toBe(404);
    expect(res.json.error.message).toBe(`execution ${theirs} does not exist`);
    const readOnly = newApiTokenSecret();
    await insertApiToken(db, {
      name: "rp-reader",
      secretHash: apiTokenSecretHash(readOnly),
      scopes: ["read"],
      projects: null,
      createdBy: "test",
      expiresAt: null,
    });
    const denied = await api.call("POST", `/executions/${theirs}/replay`, {
      token: readOnly,
    });
    expect(denied.status).toBe(403);
    const made = await db
      .selectFrom("triggers")
      .select("id")
      .where("project_id", "=", "rp-theirs")
      .execute();
    expect(made).toEqual([]);
  });
});
