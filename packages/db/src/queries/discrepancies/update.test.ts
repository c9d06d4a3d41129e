import { sql } from "kysely";
import { expect } from "vitest";

import type { Db } from "../../pool.js";
import { dbTest, insertProject } from "../../testing/index.js";
import {
  updateDiscrepancies,
  type SeenFinding,
  type UpdateDiscrepanciesOptions,
} from "./update.js";

const seen = (
  key: string,
  ruleId = "r1",
  severity: SeenFinding["severity"] = "high",
): SeenFinding => ({
  fingerprint: `${ruleId}:${key}`,
  ruleId,
  findingKey: key,
  rowKey: key,
  severity,
  message: `bad ${key}`,
});

/** One run's record: findings, the rules that ran and the keys of the rows it read. */
function runner(db: Db, projectId: string) {
  return (
    executionId: number,
    findings: SeenFinding[],
    o: Partial<
      Pick<
        UpdateDiscrepanciesOptions,
        "evaluatedRuleIds" | "rowKeys" | "expireAfter" | "truncatedRuleIds"
      >
    > = {},
  ) =>
    db.transaction().execute((trx) =>
      updateDiscrepancies(trx, {
        projectId,
        executionId,
        seen: findings,
        evaluatedRuleIds: o.evaluatedRuleIds ?? ["r1", "r2"],
        rowKeys: o.rowKeys === undefined ? null : o.rowKeys,
        expireAfter: o.expireAfter ?? null,
        ...(o.truncatedRuleIds === undefined
          ? {}
          : { truncatedRuleIds: o.truncatedRuleIds }),
      }),
    );
}

const byChange = (rows: { change: string; findingKey: string }[]) =>
  rows.map((r) => `${r.change}:${r.findingKey}`).sort();

const discrepancy = (db: Db, projectId: string, key: string, ruleId = "r1") =>
  db
    .selectFrom("discrepancies")
    .selectAll()
    .where("project_id", "=", projectId)
    .where("fingerprint", "=", `${ruleId}:${key}`)
    .executeTakeFirstOrThrow();

const events = async (db: Db, projectId: string, key: string) =>
  (
    await db
      .selectFrom("discrepancy_events")
      .select(["change", "from_status", "to_status", "execution_id", "actor"])
      .where("project_id", "=", projectId)
      .where("fingerprint", "=", `r1:${key}`)
      .orderBy("id")
      .execute()
  ).map(
    (e) =>
      `${e.change}:${e.from_status ?? "-"}->${e.to_status}@${e.execution_id}`,
  );

dbTest(
  "without a row key, a run of a rule is evidence about all its discrepancies: open, confirm, resolve, and a failed rule's stay as they are",
  async ({ db }) => {
    const p = await insertProject(db);
    const run = runner(db, p.id);
    expect(byChange(await run(1, [seen("a"), seen("b"), seen("b")]))).toEqual([
      "new:a",
      "new:b",
    ]);
    expect(byChange(await run(2, [seen("b"), seen("c")]))).toEqual([
      "new:c",
      "resolved:a",
      "still_open:b",
    ]);
    // r1 failed this run: its discrepancies are neither confirmed nor resolved, only marked
    expect(
      byChange(await run(3, [seen("x", "r2")], { evaluatedRuleIds: ["r2"] })),
    ).toEqual(["new:x"]);
    expect((await discrepancy(db, p.id, "b")).status).toBe("open");
    expect(
      (await discrepancy(db, p.id, "b")).not_evaluated_since,
    ).not.toBeNull();
    expect(byChange(await run(4, []))).toEqual([
      "resolved:b",
      "resolved:c",
      "resolved:x",
    ]);
  },
);

dbTest(
  "a rule whose findings were truncated resolves none of its discrepancies: the unflagged ones keep their state, unmarked and unexpired; kept findings still count, other rules resolve as usual",
  async ({ db }) => {
    const p = await insertProject(db);
    const run = runner(db, p.id);
    const expireAfter = { iso: "PT0S", seconds: 0 };
    await run(1, [seen("a"), seen("b"), seen("c"), seen("z", "r2")], {
      rowKeys: ["a", "b", "c", "z"],
    });
    // r1 returned more than the cap: only "a" was kept; "b" and "c" may be among the dropped
    expect(
      byChange(
        await run(2, [seen("a")], {
          rowKeys: ["a", "b", "c", "z"],
          truncatedRuleIds: ["r1"],
          expireAfter,
        }),
      ),
    ).toEqual(["resolved:z", "still_open:a"]);
    for (const key of ["b", "c"]) {
      expect(await discrepancy(db, p.id, key)).toMatchObject({
        status: "open",
        resolved_at: null,
        not_evaluated_since: null,
        last_evaluated_execution_id: 1,
      });
      expect(await events(db, p.id, key)).toEqual(["new:-->open@1"]);
    }
    // the same run without truncation resolves them: the filter is what kept them
    expect(
      byChange(await run(3, [seen("a")], { rowKeys: ["a", "b", "c", "z"] })),
    ).toEqual(["resolved:b", "resolved:c", "still_open:a"]);
  },
);

dbTest(
  "with a row key, a discrepancy whose row the run did not read is not resolved: it keeps its status, is marked not evaluated, and resolves only once its row is read unflagged",
  async ({ db }) => {
    const p = await insertProject(db);
    const run = runner(db, p.id);
    await run(1, [seen("1007"), seen("1012")], {
      rowKeys: ["1001", "1007", "1012"],
    });
    // the window moved on (a lookback change): 1007 and 1012 were not read
    expect(byChange(await run(2, [], { rowKeys: ["1020", "1021"] }))).toEqual(
      [],
    );
    const d = await discrepancy(db, p.id, "1007");
    expect(d).toMatchObject({
      status: "open",
      resolved_at: null,
      last_evaluated_execution_id: 1,
    });
    expect(d.not_evaluated_since).not.toBeNull();
    // a later run that still does not read it writes nothing more about it
    await run(3, [], { rowKeys: ["1030"] });
    expect((await events(db, p.id, "1007")).length).toBe(2);
    // its row is read again and nobody flags it: resolved by evidence
    expect(
      byChange(await run(4, [seen("1012")], { rowKeys: ["1007", "1012"] })),
    ).toEqual(["resolved:1007", "still_open:1012"]);
    expect(await discrepancy(db, p.id, "1007")).toMatchObject({
      status: "resolved",
      resolved_execution_id: 4,
      not_evaluated_since: null,
      last_evaluated_execution_id: 4,
    });
    expect(await events(db, p.id, "1007")).toEqual([
      "new:-->open@1",
      "not_evaluated:open->open@2",
      "resolved:open->resolved@4",
    ]);
  },
);

dbTest(
  "a discrepancy not evaluated for expire_after becomes expired, never resolved, and is open again (not a regression) when found again",
  async ({ db }) => {
    const p = await insertProject(db);
    const run = runner(db, p.id);
    await run(1, [seen("k")], { rowKeys: ["k"] });
    await sql`UPDATE discrepancies SET last_evaluated_at = now() - interval '2 days'`.execute(
      db,
    );
    const expireAfter = { iso: "P1D", seconds: 86_400 };
    expect(
      byChange(await run(2, [], { rowKeys: ["other"], expireAfter })),
    ).toEqual(["expired:k"]);
    expect(await discrepancy(db, p.id, "k")).toMatchObject({
      status: "expired",
      resolved_at: null,
      status_reason:
        "its row was not read for P1D (discrepancies.expire_after)",
    });
    expect(byChange(await run(3, [seen("k")], { rowKeys: ["k"] }))).toEqual([
      "reopened:k",
    ]);
    expect(await discrepancy(db, p.id, "k")).toMatchObject({
      status: "open",
      regressions: 0,
      expired_at: null,
      occurrences: 2,
    });
  },
);

dbTest(
  "acknowledged and muted discrepancies keep their status while they still fail; an escalation is a change; a mute that ran out turns open; a resolved one found again is a regression",
  async ({ db }) => {
    const p = await insertProject(db);
    const run = runner(db, p.id);
    await run(1, [
      seen("ack"),
      seen("mute"),
      seen("late"),
      seen("fix", "r1", "low"),
    ]);
    await sql`UPDATE discrepancies SET status = 'acknowledged', assignee = 'ana'
              WHERE fingerprint = 'r1:ack'`.execute(db);
    await sql`UPDATE discrepancies SET status = 'muted', muted_until = now() + interval '1 day'
              WHERE fingerprint = 'r1:mute'`.execute(db);
    await sql`UPDATE discrepancies SET status = 'muted', muted_until = now() - interval '1 second'
              WHERE fingerprint = 'r1:late'`.execute(db);
    const second = await run(2, [
      seen("ack"),
      seen("mute", "r1", "critical"),
      seen("late"),
      seen("fix", "r1", "high"),
    ]);
    expect(byChange(second)).toEqual([
      "escalated:fix",
      "still_open:ack",
      "still_open:mute",
      "unmuted:late",
    ]);
    expect(await discrepancy(db, p.id, "ack")).toMatchObject({
      status: "acknowledged",
      assignee: "ana",
      occurrences: 2,
    });
    expect(await discrepancy(db, p.id, "mute")).toMatchObject({
      status: "muted",
      severity: "critical",
      occurrences: 2,
    });
    expect(await discrepancy(db, p.id, "late")).toMatchObject({
      status: "open",
      muted_until: null,
    });
    // fixed: resolved, then found again: reopened as a regression
    expect(
      byChange(await run(3, [seen("ack"), seen("mute"), seen("late")])),
    ).toEqual([
      "resolved:fix",
      "still_open:ack",
      "still_open:late",
      "still_open:mute",
    ]);
    const reopened = await run(4, [
      seen("ack"),
      seen("mute"),
      seen("late"),
      seen("fix"),
    ]);
    expect(reopened.find((t) => t.findingKey === "fix")).toMatchObject({
      change: "reopened",
      previousStatus: "resolved",
      status: "open",
      regressions: 1,
    });
    const fix = await discrepancy(db, p.id, "fix");
    expect(fix.regressions).toBe(1);
    expect(fix.reopened_at).not.toBeNull();
    expect(fix.first_execution_id).toBe(1);
    expect(await events(db, p.id, "fix")).toEqual([
      "new:-->open@1",
      "escalated:open->open@2",
      "resolved:open->resolved@3",
      "reopened:resolved->open@4",
    ]);
    expect(await events(db, p.id, "late")).toEqual([
      "new:-->open@1",
      "unmuted:muted->open@2",
    ]);
  },
);
