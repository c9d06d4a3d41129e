import { gzipSync } from "node:zlib";

import { expect } from "vitest";

import { dbTest, insertProject } from "../../testing/index.js";
import { describeExecutionInput } from "./describe.js";
import { getExecutionInput } from "./get.js";

dbTest(
  "getExecutionInput gives the stored rows parsed, with window and parameters; describeExecutionInput says why there are none",
  async ({ db }) => {
    const p = await insertProject(db);
    const execution = (status: "success" | "running") =>
      db
        .insertInto("executions")
        .values({ project_id: p.id, status, scheduled_for: new Date() })
        .returning("id")
        .executeTakeFirstOrThrow();
    const done = await execution("success");
    const window = {
      start: new Date("2026-11-01T00:00:00Z"),
      end: new Date("2026-11-01T01:00:00Z"),
    };
    const rows = [
      { id: 1, n: 12345678901234 },
      { id: 2, s: "a\nb" },
    ];
    const gz = gzipSync(rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
    await db
      .insertInto("execution_inputs")
      .values({
        execution_id: done.id,
        project_id: p.id,
        window_start: window.start,
        window_end: window.end,
        detector_hash: "abc",
        parameters: JSON.stringify({ r1: { x: 1 } }),
        row_count: 2,
        bytes: gz.length,
        raw_bytes: 60,
        rows_gz: gz,
      })
      .execute();

    expect(await getExecutionInput(db, String(done.id))).toEqual({
      executionId: String(done.id),
      projectId: p.id,
      rows,
      window,
      parameters: { r1: { x: 1 } },
      detectorHash: "abc",
      rowCount: 2,
      bytes: gz.length,
      rawBytes: 60,
    });
    for (const bad of ["abc", "0", "-1", "1.5", "99999999999999999999", ""]) {
      expect(await getExecutionInput(db, bad), bad).toBeNull();
    }
    expect(await getExecutionInput(db, "999999")).toBeNull();

    const running = await execution("running");
    expect(await describeExecutionInput(db, running.id)).toMatchObject({
      kept: false,
      reason: "not_recorded",
      message: expect.stringContaining("still running"),
    });
    expect(await describeExecutionInput(db, 999999)).toBeUndefined();
  },
);
