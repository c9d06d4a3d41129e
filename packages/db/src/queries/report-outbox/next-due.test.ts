import { sql } from "kysely";
import { expect } from "vitest";

import { insertProject } from "../../testing/builders.js";
import { dbTest } from "../../testing/db-test.js";
import { enqueueOutboxEntry } from "./enqueue.js";
import { msUntilNextReportDue } from "./next-due.js";

dbTest(
  "with nothing waiting the answer is null (an idle delivery loop sleeps its poll), a row due later is counted down, a row due now is 0",
  async ({ db }) => {
    await sql`DELETE FROM report_outbox`.execute(db);
    expect(await msUntilNextReportDue(db)).toBeNull();

    const p = await insertProject(db);
    const id = await db.transaction().execute((trx) =>
      enqueueOutboxEntry(trx, {
        projectId: p.id,
        executionId: null,
        kind: "report",
        idempotencyKey: `next-due-${process.pid}`,
        targetEnv: null,
        payload: {},
        maxAttempts: 2,
      }),
    );
    await sql`UPDATE report_outbox SET next_attempt_at = now() + interval '20 seconds' WHERE id = ${id}`.execute(
      db,
    );
    const later = await msUntilNextReportDue(db);
    expect(later).toBeGreaterThan(15_000);
    expect(later).toBeLessThanOrEqual(20_000);

    await sql`UPDATE report_outbox SET next_attempt_at = now() - interval '1 second' WHERE id = ${id}`.execute(
      db,
    );
    expect(await msUntilNextReportDue(db)).toBe(0);
  },
);
