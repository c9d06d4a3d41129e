import { describe, expect } from "vitest";

import { dbTest as test, insertProject } from "../../testing/index.js";
import type { ExecutionStatus } from "../../tables/executions.js";
import { listProjectExecutions } from "./list.js";

describe("listProjectExecutions", () => {
  test("pages newest first by id, per status too, and never repeats or skips a row while others are added", async ({
    db,
  }) => {
    const p = await insertProject(db);
    const other = await insertProject(db);
    const statuses: ExecutionStatus[] = [
      "success",
      "failed",
      "timeout",
      "success",
      "failed",
      "success",
      "timeout",
      "failed",
    ];
    const insert = (projectId: string, list: ExecutionStatus[]) =>
      db
        .insertInto("executions")
        .values(
          list.map((status) => ({
            project_id: projectId,
            status,
            scheduled_for: new Date(),
          })),
        )
        .returning(["id", "status"])
        .execute();
    const rows = await insert(p.id, statuses);
    await insert(other.id, statuses);
    const firstPage = await listProjectExecutions(db, {
      projectId: p.id,
      limit: 3,
    });
    expect(firstPage.map((r) => r.id)).toEqual(
      rows
        .slice(-3)
        .map((r) => r.id)
        .reverse(),
    );
    await insert(p.id, ["success", "failed"]);
    const secondPage = await listProjectExecutions(db, {
      projectId: p.id,
      limit: 3,
      beforeId: firstPage.at(-1)!.id,
    });
    expect(secondPage.map((r) => r.id)).toEqual(
      rows
        .slice(2, 5)
        .map((r) => r.id)
        .reverse(),
    );
    const failedOrTimeout = await listProjectExecutions(db, {
      projectId: p.id,
      limit: 4,
      statuses: ["timeout", "failed"],
      beforeId: rows.at(-1)!.id + 1,
    });
    const expected = rows
      .filter((r) => r.status === "failed" || r.status === "timeout")
      .map((r) => r.id)
      .reverse()
      .slice(0, 4);
    expect(failedOrTimeout.map((r) => r.id)).toEqual(expected);
    expect(failedOrTimeout.every((r) => r.project_id === p.id)).toBe(true);
  });
});
