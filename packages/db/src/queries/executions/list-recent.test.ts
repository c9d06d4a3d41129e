import { sql } from "kysely";
import { describe, expect } from "vitest";

import { dbTest as test, insertProject } from "../../testing/index.js";
import { listFinishedExecutions } from "./list-recent.js";

describe("listFinishedExecutions", () => {
  test("a cursor read back from a row with microseconds returns the rows after it, never that row again", async ({
    db,
  }) => {
    const p = await insertProject(db);
    const finishedAt = [
      "2026-01-01T00:00:00.123456Z",
      "2026-01-01T00:00:00.123789Z", // same millisecond as the first
      "2026-01-01T00:00:00.124001Z",
    ];
    const rows = await db
      .insertInto("executions")
      .values(
        finishedAt.map((at) => ({
          project_id: p.id,
          status: "success" as const,
          scheduled_for: new Date("2026-01-01T00:00:00Z"),
          finished_at: sql<Date>`${at}::timestamptz`,
        })),
      )
      .returning(["id"])
      .execute();
    const ids = rows.map((r) => r.id);

    const latest = await listFinishedExecutions(db, {
      projectId: p.id,
      limit: 2,
    });
    expect(latest.map((r) => r.id)).toEqual(ids.slice(1));

    const first = await listFinishedExecutions(db, {
      projectId: p.id,
      limit: 1,
      after: { finishedAt: new Date("2026-01-01T00:00:00.000Z"), id: 0 },
    });
    expect(first.map((r) => r.id)).toEqual([ids[0]]);
    let cursor = { finishedAt: first[0]!.finished_at!, id: first[0]!.id };
    const seen = [first[0]!.id];
    for (let page = 0; page < 10; page += 1) {
      const next = await listFinishedExecutions(db, {
        projectId: p.id,
        limit: 1,
        after: cursor,
      });
      if (next.length === 0) {
        break;
      }
      seen.push(next[0]!.id);
      cursor = { finishedAt: next[0]!.finished_at!, id: next[0]!.id };
    }
    expect(seen).toEqual(ids);
  });
});
