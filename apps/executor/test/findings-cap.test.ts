import { afterAll, expect } from "vitest";

import { dbTest } from "@vigil/db/testing";

import {
  createProject,
  explain,
  runProject,
  sharedExecutor,
} from "./fixtures/hostile/harness.js";
import { killStartedExecutors } from "./helpers.js";

// One real executor process, real sandboxed detectors, real PostgreSQL: a rule past the project's
// max_findings_per_rule keeps its first findings, the rest are counted on the execution and the
// rule's result, and the run resolves none of that rule's discrepancies.
afterAll(killStartedExecutors);

const returning = (keys: string[]) =>
  `export function detect() { return ${JSON.stringify(keys)}.map((key) => ({ key, message: "off: " + key })); }`;

dbTest(
  "findings past max_findings_per_rule are counted, not kept, and that rule's unseen discrepancies stay open while another rule's resolve",
  async ({ db, testDatabase }) => {
    const projectId = await createProject(
      db,
      [
        { ruleId: "many", code: returning(["k0", "k1"]) },
        { ruleId: "other", code: returning(["o0"]) },
      ],
      { max_findings_per_rule: 2 },
    );
    const first = await runProject(db, testDatabase.url, projectId);
    expect(first.execution.status).toBe("success");
    expect(first.execution.findings_truncated).toBe(0);

    // "many" now returns three findings, one past the cap; "other" flags nothing
    const setCode = (ruleId: string, code: string) =>
      db
        .updateTable("rules")
        .set({ code })
        .where("project_id", "=", projectId)
        .where("rule_id", "=", ruleId)
        .execute();
    await setCode("many", returning(["k2", "k3", "k4"]));
    await setCode("other", returning([]));
    const second = await runProject(db, testDatabase.url, projectId);
    const { executor } = await sharedExecutor(testDatabase.url);
    expect(second.execution.status, explain(second, executor)).toBe("success");
    expect(second.execution).toMatchObject({
      findings_count: 2,
      findings_truncated: 1,
    });
    expect(Object.keys(second.findings["many"] ?? {}).sort()).toEqual([
      "k2",
      "k3",
    ]);
    expect(second.execution.rule_results).toEqual([
      expect.objectContaining({
        ruleId: "many",
        status: "ok",
        findings: 2,
        findingsTruncated: 1,
      }),
      expect.not.objectContaining({ findingsTruncated: expect.anything() }),
    ]);

    const statuses = Object.fromEntries(
      (
        await db
          .selectFrom("discrepancies")
          .select(["finding_key", "status"])
          .where("project_id", "=", projectId)
          .execute()
      ).map((d) => [d.finding_key, d.status]),
    );
    // k0 and k1 may be among the dropped findings: not resolved; o0's rule ran whole: resolved
    expect(statuses).toEqual({
      k0: "open",
      k1: "open",
      k2: "open",
      k3: "open",
      o0: "resolved",
    });
  },
);
