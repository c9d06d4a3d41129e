import { describe, expect } from "vitest";

import { dbTest as test, insertProject } from "../../testing/index.js";
import { countRunForAlerts } from "./count-run.js";
import { markProjectAlerted } from "./mark-alerted.js";

describe("project alert states", () => {
  test("concurrent failed runs of one project each count once, and a success ends the episode it alerted in", async ({
    db,
  }) => {
    const p = await insertProject(db);
    const counts = await Promise.all(
      Array.from({ length: 5 }, () =>
        db
          .transaction()
          .execute((trx) =>
            countRunForAlerts(trx, { projectId: p.id, result: "failure" }),
          ),
      ),
    );
    expect(counts.map((c) => c.consecutiveFailures).sort()).toEqual([
      1, 2, 3, 4, 5,
    ]);
    await db
      .transaction()
      .execute((trx) =>
        markProjectAlerted(trx, { projectId: p.id, executionId: 42 }),
      );
    const success = () =>
      db
        .transaction()
        .execute((trx) =>
          countRunForAlerts(trx, { projectId: p.id, result: "success" }),
        );
    expect(await success()).toEqual({
      consecutiveFailures: 0,
      wasAlerting: true,
      alertExecutionId: 42,
    });
    expect(await success()).toEqual({
      consecutiveFailures: 0,
      wasAlerting: false,
      alertExecutionId: null,
    });
  });
});
