import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import { afterEach, expect } from "vitest";

import {
  dbTest,
  insertProject,
  insertRule,
  insertTriggers,
} from "@vigil/db/testing";

import {
  finishedExecution,
  killStartedExecutors,
  makeWorkDir,
  startExecutor,
  uploadRows,
} from "./helpers.js";

afterEach(killStartedExecutors);

dbTest(
  "rule code imports a package the operator installed in WORK_DIR/node_modules and listed in DETECTOR_PACKAGES",
  async ({ db, testDatabase }) => {
    const workDir = await makeWorkDir();
    const pkg = path.join(workDir, "node_modules", "vigil-test-money");
    await mkdir(pkg, { recursive: true, mode: 0o755 });
    await writeFile(
      path.join(pkg, "package.json"),
      JSON.stringify({
        name: "vigil-test-money",
        version: "1.0.0",
        type: "module",
        exports: "./index.js",
      }),
      { mode: 0o644 },
    );
    await writeFile(
      path.join(pkg, "index.js"),
      "export const cents = (x) => Math.round(x * 100);\n",
      { mode: 0o644 },
    );

    const project = await insertProject(db, {
      config: { data_source: { type: "manual" } },
    });
    await insertRule(db, project.id, {
      ruleId: "uses-a-package",
      code: `import { cents } from "vigil-test-money";
export function detect() { return [{ key: "c", message: String(cents(1.23)) }]; }`,
    });
    await uploadRows(db, project.id, [{ id: 1 }]);
    const executor = startExecutor(testDatabase.url, {
      WORK_DIR: workDir,
      DETECTOR_PACKAGES: "vigil-test-money",
    });
    const [trigger] = await insertTriggers(db, project.id, 1, {
      fire_at: new Date(Date.now() - 100),
    });
    const execution = await finishedExecution(db, trigger!.id);
    expect(
      execution.status,
      `${JSON.stringify(execution.rule_results)}\n${executor.logs.join("\n")}`,
    ).toBe("success");
    const finding = await db
      .selectFrom("findings")
      .select("message")
      .where("execution_id", "=", execution.id)
      .executeTakeFirstOrThrow();
    expect(finding.message).toBe("123");
  },
  60_000,
);
