import { gzipSync } from "node:zlib";

import type { Db } from "@vigil/db";
import { dbTest, insertProject } from "@vigil/db/testing";
import { describe, expect } from "vitest";

import { runCliOn as vigil } from "./run-cli.js";

/** A finished execution of the project, its input kept (rows) or not kept as `too_large`. */
async function seedExecution(
  db: Db,
  projectId: string,
  rows: unknown[] | "too_large",
): Promise<number> {
  const { id } = await db
    .insertInto("executions")
    .values({
      project_id: projectId,
      status: "success",
      scheduled_for: new Date(),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const gz =
    rows === "too_large"
      ? null
      : gzipSync(rows.map((r) => JSON.stringify(r) + "\n").join(""));
  await db
    .insertInto("execution_inputs")
    .values({
      execution_id: id,
      project_id: projectId,
      window_start: new Date("2026-11-01T00:00:00Z"),
      window_end: new Date("2026-11-01T01:00:00Z"),
      row_count: rows === "too_large" ? 1 : rows.length,
      bytes: gz?.length ?? 50_000_000,
      raw_bytes: 100,
      rows_gz: gz,
      not_kept: gz === null ? "too_large" : null,
    })
    .execute();
  return id;
}

describe("vigil replay", () => {
  dbTest(
    "queues a replay trigger of a kept input on its window; a not-kept input, an unknown id and a bad id are refused, naming why",
    async ({ db, testDatabase }) => {
      const project = await insertProject(db);
      const kept = await seedExecution(db, project.id, [{ id: 1 }]);
      const tooLarge = await seedExecution(db, project.id, "too_large");

      const ok = await vigil(["replay", String(kept)], testDatabase.url);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toContain(`of execution ${kept}`);
      expect(ok.stdout).toContain(
        "window 2026-11-01T00:00:00.000Z to 2026-11-01T01:00:00.000Z",
      );
      const triggers = await db
        .selectFrom("triggers")
        .select(["source", "replay_of", "requested_by", "window_start"])
        .where("project_id", "=", project.id)
        .execute();
      expect(triggers).toEqual([
        {
          source: "replay",
          replay_of: kept,
          requested_by: "cli",
          window_start: new Date("2026-11-01T00:00:00Z"),
        },
      ]);

      const refused = await vigil(
        ["replay", String(tooLarge)],
        testDatabase.url,
      );
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("EXECUTION_INPUT_MAX_BYTES");
      const unknown = await vigil(["replay", "999999"], testDatabase.url);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain("no execution 999999");
      const bad = await vigil(["replay", "abc"], testDatabase.url);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("replay needs an execution id");
      const none = await vigil(["replay"], testDatabase.url);
      expect(none.code).toBe(2);
      expect(
        await db
          .selectFrom("triggers")
          .select("id")
          .where("project_id", "=", project.id)
          .execute(),
      ).toHaveLength(1);
    },
  );
});
