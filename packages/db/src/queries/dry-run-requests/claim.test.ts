import { sql } from "kysely";
import { expect } from "vitest";

import { dbTest, insertProject } from "../../testing/index.js";
import { claimDryRunRequest } from "./claim.js";
import { deleteDryRunRequest } from "./delete.js";
import { finishDryRunRequest } from "./finish.js";
import { insertDryRunRequest } from "./insert.js";
import { pruneExpiredDryRunRequests } from "./prune-expired.js";
import { renewDryRunLease } from "./renew.js";
import { takeDryRunAnswer } from "./take-answer.js";

dbTest(
  "a dry run is claimed once, goes to another worker only when its lease expired, is answered only by its holder, and expired rows are pruned",
  async ({ db }) => {
    const project = await insertProject(db);
    const id = await insertDryRunRequest(db, {
      projectId: project.id,
      request: { rows: [{ id: 1 }] },
      tokenName: "t",
      waitSeconds: 60,
    });
    const a = await claimDryRunRequest(db, { workerId: "a", leaseSeconds: 30 });
    expect(a).toEqual({
      id,
      projectId: project.id,
      request: { rows: [{ id: 1 }] },
    });
    // held under a live lease: nobody else gets it
    expect(
      await claimDryRunRequest(db, { workerId: "b", leaseSeconds: 30 }),
    ).toBeNull();

    // a's lease runs out (it died): b takes it, and a can neither renew nor answer
    await db
      .updateTable("dry_run_requests")
      .set({ lease_expires_at: sql<Date>`now() - interval '1 second'` })
      .where("id", "=", id)
      .execute();
    const b = await claimDryRunRequest(db, { workerId: "b", leaseSeconds: 30 });
    expect(b?.id).toBe(id);
    expect(
      await renewDryRunLease(db, { id, workerId: "a", leaseSeconds: 30 }),
    ).toBe(false);
    expect(
      await finishDryRunRequest(db, { id, workerId: "a", answer: { x: 1 } }),
    ).toBe(false);
    expect(
      await renewDryRunLease(db, { id, workerId: "b", leaseSeconds: 30 }),
    ).toBe(true);
    expect(
      await finishDryRunRequest(db, { id, workerId: "b", answer: { x: 2 } }),
    ).toBe(true);
    // answered: renewing says stop, and a second answer is refused
    expect(
      await renewDryRunLease(db, { id, workerId: "b", leaseSeconds: 30 }),
    ).toBe(false);
    expect(
      await finishDryRunRequest(db, { id, workerId: "b", answer: { x: 3 } }),
    ).toBe(false);
    // read once: taking the answer deletes the row
    expect(await takeDryRunAnswer(db, id)).toEqual({ x: 2 });
    expect(await takeDryRunAnswer(db, id)).toBeUndefined();
    expect(await deleteDryRunRequest(db, id)).toBeUndefined();

    // a running request is not taken, and deleting it says who held it
    const held = await insertDryRunRequest(db, {
      projectId: project.id,
      request: {},
      tokenName: null,
      waitSeconds: 60,
    });
    await claimDryRunRequest(db, { workerId: "d", leaseSeconds: 30 });
    expect(await takeDryRunAnswer(db, held)).toBeUndefined();
    expect(await deleteDryRunRequest(db, held)).toEqual({
      status: "running",
      workerId: "d",
    });

    // nobody waits for a request past its expires_at: not claimed, then pruned
    const stale = await insertDryRunRequest(db, {
      projectId: project.id,
      request: {},
      tokenName: null,
      waitSeconds: 1,
    });
    const fresh = await insertDryRunRequest(db, {
      projectId: project.id,
      request: {},
      tokenName: null,
      waitSeconds: 600,
    });
    await db
      .updateTable("dry_run_requests")
      .set({ expires_at: sql<Date>`now() - interval '2 minutes'` })
      .where("id", "=", stale)
      .execute();
    expect(
      (await claimDryRunRequest(db, { workerId: "c", leaseSeconds: 30 }))?.id,
    ).toBe(fresh);
    expect(await pruneExpiredDryRunRequests(db)).toBe(1);
    expect(
      (await db.selectFrom("dry_run_requests").select("id").execute()).map(
        (r) => r.id,
      ),
    ).toEqual([fresh]);
  },
);
