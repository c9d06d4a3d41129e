import { sql } from "kysely";
import { expect } from "vitest";

import { dbTest, insertProject, insertTriggers } from "../../testing/index.js";
import { claimDueTriggers, type ClaimedTrigger } from "../triggers/claim.js";
import { finishRuns, type FinishRunsItem } from "./finish-runs.js";

const ago = (ms: number) => new Date(Date.now() - ms);

const success = (
  c: ClaimedTrigger,
  workerId: string,
  guardMd5: string | null = null,
): FinishRunsItem => ({
  fence: { triggerId: c.triggerId, workerId, attempt: c.attempt },
  trigger: { kind: "finished", status: "succeeded" },
  lastError: null,
  execution: { executionId: c.executionId, status: "success" },
  evaluates: { projectId: c.projectId },
  projectId: c.projectId,
  guardMd5,
});

async function claim(db: Parameters<typeof insertProject>[0], count: number) {
  const p = await insertProject(db, {
    config: { data_source: { type: "manual" }, max_concurrency: 100 },
  });
  await insertTriggers(db, p.id, count, { fire_at: ago(1000) });
  const { claimed } = await claimDueTriggers(db, {
    workerId: "w",
    leaseSeconds: 30,
    limit: count,
  });
  return { projectId: p.id, claimed };
}

/** An open discrepancy of rule r1 (fingerprint f1), as an earlier run would have left it. */
async function openDiscrepancy(
  db: Parameters<typeof finishRuns>[0],
  projectId: string,
): Promise<void> {
  const now = new Date();
  await db
    .insertInto("discrepancies")
    .values({
      project_id: projectId,
      fingerprint: "f1",
      rule_id: "r1",
      finding_key: "k",
      severity: "low",
      message: "m",
      first_seen_at: now,
      last_seen_at: now,
      first_execution_id: 1,
      last_execution_id: 1,
    })
    .execute();
}

dbTest(
  "a batch writes every run whose fence holds and drops only the one whose lease was lost",
  async ({ db }) => {
    const { projectId, claimed } = await claim(db, 3);
    const [a, b, c] = claimed as [
      ClaimedTrigger,
      ClaimedTrigger,
      ClaimedTrigger,
    ];
    // b was rescued and re-claimed by another worker meanwhile
    await sql`UPDATE triggers SET claimed_by = 'other' WHERE id = ${b.triggerId}`.execute(
      db,
    );
    const results = await finishRuns(db, "w", [
      success(a, "w"),
      success(b, "w"),
      {
        ...success(c, "w"),
        trigger: { kind: "retry", delayMs: 60_000 },
        execution: {
          executionId: c.executionId,
          status: "failed",
          errorMessage: "boom",
        },
        lastError: "boom",
        evaluates: null,
      },
    ]);
    expect(results.map((r) => r.outcome)).toEqual([
      "recorded",
      "lost",
      "recorded",
    ]);
    const triggers = await db
      .selectFrom("triggers")
      .select(["id", "status", "finished_at"])
      .where("project_id", "=", projectId)
      .orderBy("id")
      .execute();
    expect(triggers.map((t) => t.status)).toEqual([
      "succeeded",
      "running",
      "pending",
    ]);
    const executions = await db
      .selectFrom("executions")
      .select(["trigger_id", "status", "error_message", "duration_ms"])
      .where("project_id", "=", projectId)
      .orderBy("trigger_id")
      .execute();
    expect(executions.map((e) => e.status)).toEqual([
      "success",
      "running",
      "failed",
    ]);
    expect(executions[2]?.error_message).toBe("boom");
    expect(executions[0]?.duration_ms).toBeGreaterThanOrEqual(0);
    // a second write of the same runs (an unseen commit retried) changes nothing
    const again = await finishRuns(db, "w", [success(a, "w")]);
    expect(again[0]?.outcome).toBe("lost");
  },
);

dbTest(
  "a run that evaluates discrepancies is never written here while its project tracks one: it comes back guarded and nothing is resolved",
  async ({ db }) => {
    const { projectId, claimed } = await claim(db, 2);
    const [a, b] = claimed as [ClaimedTrigger, ClaimedTrigger];
    await openDiscrepancy(db, projectId);
    const results = await finishRuns(db, "w", [
      success(a, "w"),
      { ...success(b, "w"), evaluates: null },
    ]);
    expect(results.map((r) => r.outcome)).toEqual(["guarded", "recorded"]);
    const d = await db
      .selectFrom("discrepancies")
      .select(["status", "resolved_execution_id"])
      .where("project_id", "=", projectId)
      .executeTakeFirstOrThrow();
    expect(d).toEqual({ status: "open", resolved_execution_id: null });
    const statuses = await db
      .selectFrom("executions")
      .select("status")
      .where("project_id", "=", projectId)
      .orderBy("trigger_id")
      .execute();
    expect(statuses.map((e) => e.status)).toEqual(["running", "success"]);
  },
);

dbTest(
  "a guarded run is written only while the project config is as the caller judged and there is no discrepancy to weigh",
  async ({ db }) => {
    const { projectId, claimed } = await claim(db, 3);
    const [a, b, c] = claimed as [
      ClaimedTrigger,
      ClaimedTrigger,
      ClaimedTrigger,
    ];
    const [first] = await finishRuns(db, "w", [success(a, "w", "not-the-md5")]);
    expect(first?.outcome).toBe("guarded");
    const md5 = first?.configMd5 ?? "";
    expect(first?.projectConfig).toMatchObject({ max_concurrency: 100 });
    // the right md5, nothing open: written without the hook
    const [ok] = await finishRuns(db, "w", [success(a, "w", md5)]);
    expect(ok?.outcome).toBe("recorded");
    // an open discrepancy this success must weigh sends it to the record that weighs it; a run
    // that evaluates nothing (its rules did not run) is still written
    await openDiscrepancy(db, projectId);
    const [blocked, exempt] = await finishRuns(db, "w", [
      success(b, "w", md5),
      { ...success(c, "w", md5), evaluates: null },
    ]);
    expect(blocked?.outcome).toBe("guarded");
    expect(exempt?.outcome).toBe("recorded");
    const rows = await db
      .selectFrom("executions")
      .select(["trigger_id", "status"])
      .where("project_id", "=", projectId)
      .orderBy("trigger_id")
      .execute();
    expect(rows.map((r) => r.status)).toEqual([
      "success",
      "running",
      "success",
    ]);
    expect(
      (
        await db
          .selectFrom("discrepancies")
          .select("status")
          .where("project_id", "=", projectId)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe("open");
  },
);
