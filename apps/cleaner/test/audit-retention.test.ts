import {
  appendAuditEvent,
  getLastMaintenanceRun,
  hashAuditEvent,
  verifyAuditChain,
  type Db,
} from "@vigil/db";
import { dbTest } from "@vigil/db/testing";
import { sql } from "kysely";
import { expect } from "vitest";

import { createCleaner } from "../src/cleaner.js";
import { PASS_OPTIONS, quietLogger } from "./helpers.js";

/** `n` audit rows through the real append; the first `old` of them dated `daysAgo` back. */
async function seedAuditChain(
  db: Db,
  o: { n: number; old: number; daysAgo: number },
): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < o.n; i++) {
    const { id } = await db.transaction().execute((trx) =>
      appendAuditEvent(trx, {
        actor: "system",
        action: "project.update",
        target: `project:p${i % 3}`,
        requestId: null,
        diff: { before: { i }, after: { i: i + 1 } },
      }),
    );
    ids.push(id);
  }
  await sql`update audit_events set at = at - make_interval(days => ${o.daysAgo})
            where id <= ${ids[o.old - 1]}`.execute(db);
  // re-hash from the first row, as if the old rows had been written back then
  let prev: string | null = null;
  for (const r of await db
    .selectFrom("audit_events")
    .selectAll()
    .orderBy("id")
    .execute()) {
    const hash = hashAuditEvent({ ...r, prev_hash: prev });
    await db
      .updateTable("audit_events")
      .set({ prev_hash: prev, hash })
      .where("id", "=", r.id)
      .execute();
    prev = hash;
  }
  return ids;
}

dbTest(
  "a pass prunes audit rows past RETENTION_AUDIT_DAYS oldest first, in batches, and the chain still verifies",
  async ({ db }) => {
    const ids = await seedAuditChain(db, { n: 60, old: 40, daysAgo: 400 });
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, count: 60 });
    const cleaner = createCleaner({
      db,
      logger: quietLogger,
      version: "test",
      // 25 rows a batch: 40 old rows take two batches
      pass: { ...PASS_OPTIONS, auditDays: 365 },
      intervalMs: 1000,
      presence: false,
    });

    const result = await cleaner.runOnce();

    expect(result.error).toBeNull();
    // each of the two batches recorded itself
    const records = await db
      .selectFrom("audit_events")
      .selectAll()
      .where("action", "=", "audit.prune")
      .orderBy("id")
      .execute();
    const anchor = expect.stringMatching(/^[0-9a-f]{64}$/) as unknown;
    expect(records.map((r) => [r.actor, r.diff])).toEqual([
      [
        "system",
        {
          before: null,
          after: { deleted: 25, oldest_kept_id: ids[25], anchor },
        },
      ],
      [
        "system",
        {
          before: null,
          after: { deleted: 15, oldest_kept_id: ids[40], anchor },
        },
      ],
    ]);
    expect(await verifyAuditChain(db)).toEqual({
      ok: true,
      count: 22,
      first_id: ids[40],
      last_id: records[1]!.id,
    });
    expect((await getLastMaintenanceRun(db))?.pruned).toMatchObject({
      audit_events: 40,
    });
    expect((await cleaner.runOnce()).error).toBeNull();
    expect((await getLastMaintenanceRun(db))?.pruned).toMatchObject({
      audit_events: 0,
    });
  },
);
