import { sql } from "kysely";
import { expect } from "vitest";

import { dbTest, insertProject } from "../../testing/index.js";
import { pruneFinishedReports } from "./prune.js";

dbTest(
  "prunes delivered and dead reports past their own retention, with their attempts, and never open ones",
  async ({ db }) => {
    const p = await insertProject(db);
    const daysAgo = (d: number) =>
      sql<Date>`now() - make_interval(days => ${d})`;
    const rows = await db
      .insertInto("report_outbox")
      .values([
        {
          project_id: p.id,
          idempotency_key: "delivered-old",
          payload: "{}",
          status: "delivered",
          delivered_at: daysAgo(10),
        },
        {
          project_id: p.id,
          idempotency_key: "delivered-new",
          payload: "{}",
          status: "delivered",
          delivered_at: daysAgo(1),
        },
        {
          project_id: p.id,
          idempotency_key: "dead-old",
          payload: "{}",
          status: "dead",
          dead_at: daysAgo(40),
        },
        {
          project_id: p.id,
          idempotency_key: "dead-new",
          payload: "{}",
          status: "dead",
          dead_at: daysAgo(10),
        },
        {
          project_id: p.id,
          idempotency_key: "pending-old",
          payload: "{}",
          status: "pending",
          created_at: daysAgo(90),
        },
      ])
      .returning(["id", "idempotency_key"])
      .execute();
    await db
      .insertInto("report_delivery_attempts")
      .values(
        rows.map((r) => ({
          outbox_id: r.id,
          attempt: 1,
          started_at: new Date(),
        })),
      )
      .execute();

    expect(
      await pruneFinishedReports(db, {
        status: "delivered",
        olderThanDays: 7,
        limit: 10,
      }),
    ).toBe(1);
    expect(
      await pruneFinishedReports(db, {
        status: "dead",
        olderThanDays: 30,
        limit: 10,
      }),
    ).toBe(1);

    const left = await db
      .selectFrom("report_outbox")
      .select("idempotency_key")
      .orderBy("id")
      .execute();
    expect(left.map((r) => r.idempotency_key)).toEqual([
      "delivered-new",
      "dead-new",
      "pending-old",
    ]);
    const attempts = await db
      .selectFrom("report_delivery_attempts")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(attempts.n)).toBe(3);
  },
);
