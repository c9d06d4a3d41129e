/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- tests read response bodies (typed any) freely */
import {
  apiTokenSecretHash,
  insertApiToken,
  newApiTokenSecret,
  type Db,
} from "@vigil/db";
import { insertProject } from "@vigil/db/testing";
import { describe, expect } from "vitest";

import { apiTest as test, startTestApi } from "./helpers.js";

const HOUR = 3_600_000;

async function execution(
  db: Db,
  projectId: string,
  status: "success" | "failed" | "timeout" | "lost" | "partial",
  hoursAgo: number,
  error: string | null = null,
): Promise<number> {
  const at = new Date(Date.now() - hoursAgo * HOUR);
  const row = await db
    .insertInto("executions")
    .values({
      project_id: projectId,
      status,
      scheduled_for: at,
      started_at: at,
      finished_at: at,
      duration_ms: 5,
      error_message: error,
      created_at: at,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

describe("GET /failures", () => {
  test("lists the latest failures across projects newest first with their error, within the window, filtered by status and project, limited to a token's projects", async ({
    api,
    db,
    dbHandle,
  }) => {
    await insertProject(db, { id: "fail-a" });
    await insertProject(db, { id: "fail-b" });
    await execution(db, "fail-a", "success", 0.1);
    const oldFailure = await execution(db, "fail-a", "failed", 30, "old");
    const aFailed = await execution(
      db,
      "fail-a",
      "failed",
      3,
      'relation "x" does not exist',
    );
    const bTimeout = await execution(
      db,
      "fail-b",
      "timeout",
      2,
      "timed out after 30 s",
    );
    const bLost = await execution(db, "fail-b", "lost", 1);
    const bPartial = await execution(
      db,
      "fail-b",
      "partial",
      0.5,
      "rule r1 threw",
    );

    const all = await api.call("GET", "/failures");
    expect(all.status).toBe(200);
    expect(all.json.items.map((e: any) => e.id)).toEqual([
      bLost,
      bTimeout,
      aFailed,
    ]);
    expect(all.json.items[2]).toMatchObject({
      project_id: "fail-a",
      status: "failed",
      error_message: 'relation "x" does not exist',
    });

    const wider = await api.call("GET", "/failures?hours=48&status=failed");
    expect(wider.json.items.map((e: any) => e.id)).toEqual([
      aFailed,
      oldFailure,
    ]);
    const partial = await api.call("GET", "/failures?status=partial");
    expect(partial.json.items.map((e: any) => e.id)).toEqual([bPartial]);
    const one = await api.call("GET", "/failures?project_id=fail-a&limit=1");
    expect(one.json.items.map((e: any) => e.id)).toEqual([aFailed]);

    const secret = newApiTokenSecret();
    await insertApiToken(db, {
      name: "only-a",
      secretHash: apiTokenSecretHash(secret),
      scopes: ["read"],
      projects: ["fail-a"],
      createdBy: "test",
      expiresAt: null,
    });
    // with reads open every read is anonymous: a token's project limit applies once reads need one
    const guarded = await startTestApi(dbHandle, { readTokenRequired: true });
    try {
      const limited = await guarded.call("GET", "/failures", { token: secret });
      expect(limited.json.items.map((e: any) => e.id)).toEqual([aFailed]);
      const other = await guarded.call("GET", "/failures?project_id=fail-b", {
        token: secret,
      });
      expect(other.json.items).toEqual([]);
    } finally {
      await guarded.server.close({ graceMs: 1000 });
    }
  });

  test("bad filters are a 400 naming the parameter", async ({ api }) => {
    for (const [query, name] of [
      ["status=success", "status"],
      ["hours=0", "hours"],
      ["hours=721", "hours"],
      ["limit=101", "limit"],
      ["since=1", "since"],
    ] as const) {
      const res = await api.call("GET", `/failures?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.json.error.code, query).toBe("invalid_query");
      expect(JSON.stringify(res.json.error), query).toContain(name);
    }
  });
});
