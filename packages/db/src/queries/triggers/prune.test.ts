import { sql } from "kysely";
import { expect } from "vitest";

import type { Db } from "../../pool.js";
import type { TriggerStatus } from "../../tables/triggers.js";
import { dbTest, insertProject, insertTriggers } from "../../testing/index.js";
import { pruneFinishedTriggers, type TriggerCursor } from "./prune.js";

async function insertTrigger(
  db: Db,
  projectId: string,
  status: TriggerStatus,
  finishedDaysAgo: number | null,
): Promise<number> {
  const [t] = await insertTriggers(db, projectId, 1, {
    status,
    ...(status === "running"
      ? { claimed_by: "w", lease_expires_at: new Date() }
      : {}),
  });
  if (finishedDaysAgo !== null) {
    await db
      .updateTable("triggers")
      .set({
        finished_at: sql<Date>`now() - make_interval(days => ${finishedDaysAgo})`,
      })
      .where("id", "=", t?.id ?? 0)
      .execute();
  }
  return t?.id ?? 0;
}

async function pruneAll(
  db: Db,
  olderThanDays: number,
  limit: number,
): Promise<number> {
  let deleted = 0;
  let after: TriggerCursor | null = null;
  do {
    const batch = await pruneFinishedTriggers(db, {
      olderThanDays,
      limit,
      after,
    });
    deleted += batch.deleted;
    after = batch.next;
  } while (after !== null);
  return deleted;
}

dbTest(
  "prunes only finished triggers past the age limit, never pending or running ones",
  async ({ db }) => {
    const p = await insertProject(db);
    await Promise.all(
      (["succeeded", "failed", "skipped", "cancelled"] as const).map((s) =>
        insertTrigger(db, p.id, s, 10),
      ),
    );
    const recent = await insertTrigger(db, p.id, "succeeded", 1);
    const pending = await insertTrigger(db, p.id, "pending", 10);
    const running = await insertTrigger(db, p.id, "running", 10);
    expect(await pruneAll(db, 7, 2)).toBe(4);
    const left = await db
      .selectFrom("triggers")
      .select("id")
      .where("project_id", "=", p.id)
      .orderBy("id")
      .execute();
    expect(left.map((t) => t.id)).toEqual([recent, pending, running]);
  },
);

dbTest(
  "keeps a finished trigger an execution still refers to and steps over it",
  async ({ db }) => {
    const p = await insertProject(db);
    const referenced = await insertTrigger(db, p.id, "succeeded", 30);
    await insertTrigger(db, p.id, "succeeded", 20);
    await insertTrigger(db, p.id, "failed", 20);
    await db
      .insertInto("executions")
      .values({
        project_id: p.id,
        trigger_id: referenced,
        status: "success",
        scheduled_for: new Date(),
      })
      .execute();
    // limit 1: the first batch scans only the referenced row, the cursor must move past it
    expect(await pruneAll(db, 7, 1)).toBe(2);
    const left = await db
      .selectFrom("triggers")
      .select("id")
      .where("project_id", "=", p.id)
      .execute();
    expect(left.map((t) => t.id)).toEqual([referenced]);
  },
);
