/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument -- tests read response bodies (typed any) freely */
import {
  insertDiscrepancy,
  insertProject,
  insertTriggers,
} from "@vigil/db/testing";
import { describe, expect } from "vitest";

import { apiTest as test } from "./helpers.js";

describe("GET /projects?include=overview", () => {
  test("adds each project's latest execution, next pending run and open discrepancies by severity; without it the items are unchanged", async ({
    api,
    db,
  }) => {
    await insertProject(db, { id: "ov-busy" });
    await insertProject(db, { id: "ov-idle", isActive: false });
    const at = (minutesAgo: number) =>
      new Date(Date.now() - minutesAgo * 60_000);
    const execution = (status: "success" | "failed", minutesAgo: number) =>
      db
        .insertInto("executions")
        .values({
          project_id: "ov-busy",
          status,
          scheduled_for: at(minutesAgo),
          finished_at: at(minutesAgo),
        })
        .returning("id")
        .executeTakeFirstOrThrow();
    await execution("success", 30);
    const latest = await execution("failed", 10);
    const soon = new Date(Date.now() + 3_600_000);
    await insertTriggers(db, "ov-busy", 1, { fire_at: soon });
    await insertTriggers(db, "ov-busy", 1, {
      fire_at: new Date(Date.now() + 7_200_000),
    });
    await insertTriggers(db, "ov-busy", 1, {
      fire_at: new Date(Date.now() + 60_000),
      status: "cancelled",
    });
    for (const severity of ["high", "high", "low"] as const) {
      await insertDiscrepancy(db, "ov-busy", { severity });
    }
    await insertDiscrepancy(db, "ov-busy", {
      severity: "critical",
      status: "acknowledged",
    });

    const res = await api.call("GET", "/projects?include=overview&limit=500");
    expect(res.status).toBe(200);
    const byId = new Map(res.json.items.map((p: any) => [p.id, p]));
    expect((byId.get("ov-busy") as any).overview).toEqual({
      last_execution: {
        id: latest.id,
        status: "failed",
        scheduled_for: expect.any(String),
        finished_at: expect.any(String),
      },
      next_run: soon.toISOString(),
      open_discrepancies: { critical: 0, high: 2, medium: 0, low: 1, info: 0 },
    });
    expect((byId.get("ov-idle") as any).overview).toEqual({
      last_execution: null,
      next_run: null,
      open_discrepancies: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
    });

    const plain = await api.call("GET", "/projects?limit=500");
    expect(
      plain.json.items.find((p: any) => p.id === "ov-busy"),
    ).not.toHaveProperty("overview");
  });

  test("any other include is a 400 naming it", async ({ api }) => {
    const res = await api.call("GET", "/projects?include=everything");
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("invalid_query");
    expect(JSON.stringify(res.json.error)).toContain("include");
  });
});
