import { expect } from "vitest";

import { dbTest, insertProject } from "../../testing/index.js";
import { updateDiscrepancies, type SeenFinding } from "./update.js";

const seen = (key: string, ruleId = "r1"): SeenFinding => ({
  fingerprint: `${ruleId}:${key}`,
  ruleId,
  findingKey: key,
  severity: "high",
  message: `bad ${key}`,
});

dbTest(
  "each execution's findings open new discrepancies, confirm still-open ones and resolve the missing ones",
  async ({ db }) => {
    const p = await insertProject(db);
    const run = (
      executionId: number,
      findings: SeenFinding[],
      failedRuleIds: string[] = [],
    ) =>
      db.transaction().execute((trx) =>
        updateDiscrepancies(trx, {
          projectId: p.id,
          executionId,
          seen: findings,
          failedRuleIds,
        }),
      );
    const byChange = (rows: Awaited<ReturnType<typeof run>>) =>
      rows.map((r) => `${r.change}:${r.findingKey}`).sort();

    expect(byChange(await run(1, [seen("a"), seen("b"), seen("b")]))).toEqual([
      "new:a",
      "new:b",
    ]);
    expect(byChange(await run(2, [seen("b"), seen("c")]))).toEqual([
      "new:c",
      "resolved:a",
      "still_open:b",
    ]);
    // a rule that failed this run keeps its discrepancies open: neither confirmed nor resolved
    expect(byChange(await run(3, [seen("x", "r2")], ["r1"]))).toEqual([
      "new:x",
    ]);
    // a clean run resolves everything; a reappearing finding is new again
    expect(byChange(await run(4, []))).toEqual([
      "resolved:b",
      "resolved:c",
      "resolved:x",
    ]);
    expect(byChange(await run(5, [seen("a")]))).toEqual(["new:a"]);
    const a = await db
      .selectFrom("discrepancies")
      .selectAll()
      .where("project_id", "=", p.id)
      .where("finding_key", "=", "a")
      .executeTakeFirstOrThrow();
    expect(a).toMatchObject({
      status: "open",
      occurrences: 1,
      first_execution_id: 5,
      last_execution_id: 5,
    });
  },
);
