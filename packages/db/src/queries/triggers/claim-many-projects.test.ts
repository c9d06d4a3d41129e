import { sql } from "kysely";
import { expect } from "vitest";

import { dbTest, insertProject, insertTriggers } from "../../testing/index.js";
import { claimDueTriggers } from "./claim.js";

// migrations/0011_claim_skip_scan.sql: the claim finds the projects with due work by skipping
// through triggers_project_pending_idx instead of probing every project. These pin what it must
// still find; claim.test.ts and claim-fast-path.test.ts cover the rest of the claim.

const ago = (ms: number) => new Date(Date.now() - ms);
const ahead = (ms: number) => new Date(Date.now() + ms);

type Db = Parameters<typeof insertProject>[0];

/** The tests share a database and a claim takes due triggers of every project: leave none behind. */
const cancelPending = (db: Db, projectIds: string[]) =>
  sql`UPDATE triggers SET status = 'cancelled', finished_at = now() WHERE project_id = ANY(${projectIds}::text[]) AND status = 'pending'`.execute(
    db,
  );

dbTest(
  "due runs are found between and after many projects whose runs all lie ahead",
  async ({ db }) => {
    const prefix = `skip-${Date.now().toString(36)}`;
    const ids: string[] = [];
    for (let i = 0; i < 120; i++) {
      const p = await insertProject(db, {
        id: `${prefix}-${String(i).padStart(3, "0")}`,
        config: { data_source: { type: "manual" }, max_concurrency: 5 },
      });
      ids.push(p.id);
      await insertTriggers(db, p.id, 3, { fire_at: ahead(60_000 + i) });
    }
    // due work in the middle of the id range, at its end, and in a project that also has runs ahead
    const [middle] = await insertTriggers(db, ids[57]!, 1, {
      fire_at: ago(3000),
    });
    const [last] = await insertTriggers(db, ids[119]!, 1, {
      fire_at: ago(4000),
    });
    const [first] = await insertTriggers(db, ids[0]!, 1, {
      fire_at: ago(2000),
    });

    const r = await claimDueTriggers(db, {
      workerId: "w",
      leaseSeconds: 30,
      limit: 10,
    });
    expect(r.claimed.map((c) => c.triggerId)).toEqual([
      last!.id,
      middle!.id,
      first!.id,
    ]);
    expect(
      await claimDueTriggers(db, {
        workerId: "w",
        leaseSeconds: 30,
        limit: 10,
      }),
    ).toMatchObject({ claimed: [] });
    const pending = await db
      .selectFrom("triggers")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("project_id", "in", ids)
      .where("status", "=", "pending")
      .executeTakeFirstOrThrow();
    expect(Number(pending.n)).toBe(360);
    await cancelPending(db, ids);
  },
);

dbTest(
  "a project whose oldest pending run waits out a retry backoff is found through a later due run",
  async ({ db }) => {
    const p = await insertProject(db, {
      config: { data_source: { type: "manual" }, max_concurrency: 5 },
    });
    const [backingOff] = await insertTriggers(db, p.id, 1, {
      fire_at: ago(10_000),
      available_at: ahead(3_600_000),
    });
    const [due] = await insertTriggers(db, p.id, 1, { fire_at: ago(5000) });
    const r = await claimDueTriggers(db, {
      workerId: "w",
      leaseSeconds: 30,
      limit: 10,
    });
    expect(r.claimed.map((c) => c.triggerId)).toEqual([due!.id]);
    const row = await db
      .selectFrom("triggers")
      .select("status")
      .where("id", "=", backingOff!.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe("pending");
    await cancelPending(db, [p.id]);
  },
);
