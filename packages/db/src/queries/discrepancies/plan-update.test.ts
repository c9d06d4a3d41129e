import { expect } from "vitest";

import {
  dbTest,
  insertDiscrepancy,
  insertProject,
} from "../../testing/index.js";
import { planDiscrepancyUpdate } from "./plan-update.js";

dbTest(
  "a plan answers the transitions a run would record and leaves discrepancies and events as they were",
  async ({ db }) => {
    const p = await insertProject(db);
    const tracked = await insertDiscrepancy(db, p.id, { row_key: "k-old" });
    const before = {
      discrepancies: await db.selectFrom("discrepancies").selectAll().execute(),
      events: await db.selectFrom("discrepancy_events").selectAll().execute(),
    };
    const transitions = await planDiscrepancyUpdate(db, {
      projectId: p.id,
      executionId: 0,
      seen: [
        {
          fingerprint: "r1:new",
          ruleId: "r1",
          findingKey: "new",
          rowKey: "new",
          severity: "high",
          message: "bad new",
        },
      ],
      evaluatedRuleIds: ["r1"],
      rowKeys: ["new", "k-old"],
      expireAfter: null,
    });
    expect(transitions.map((t) => [t.change, t.fingerprint]).sort()).toEqual([
      ["new", "r1:new"],
      ["resolved", tracked.fingerprint],
    ]);
    expect({
      discrepancies: await db.selectFrom("discrepancies").selectAll().execute(),
      events: await db.selectFrom("discrepancy_events").selectAll().execute(),
    }).toEqual(before);
  },
);

dbTest(
  "a plan refuses to run inside a caller's transaction, whose writes its rollback would undo",
  async ({ db }) => {
    await expect(
      db.transaction().execute((trx) =>
        planDiscrepancyUpdate(trx, {
          projectId: "none",
          executionId: 0,
          seen: [],
          evaluatedRuleIds: [],
          rowKeys: null,
          expireAfter: null,
        }),
      ),
    ).rejects.toThrow(/needs the pool/);
  },
);
