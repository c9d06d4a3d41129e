import { dbTest, waitFor } from "@vigil/db/testing";
import { sql } from "kysely";
import { afterAll, expect } from "vitest";

import { createProject, runOnce } from "./fixtures/hostile/harness.js";
import { killStartedExecutors, makeWorkDir, startExecutor } from "./helpers.js";

afterAll(killStartedExecutors);

/** One finding whose message is the PostgreSQL session the rows came from. */
const sessionRule = {
  ruleId: "session",
  code: `export function detect(rows) { return [{ key: "session", message: String(rows[0].pid) }]; }`,
};

dbTest(
  "consecutive runs of a SQL source read over one pooled connection, which the executor closes when it stops",
  async ({ db, testDatabase }) => {
    const executor = startExecutor(testDatabase.url, {
      WORK_DIR: await makeWorkDir(),
      POLL_INTERVAL_MS: "200",
      VIGIL_SECRET_POOLED_DB_URL: testDatabase.url,
      DATASOURCE_POOL_IDLE_SECONDS: "600",
    });
    const projectId = await createProject(db, [sessionRule], {
      data_source: {
        type: "sql",
        driver: "postgres",
        url_env: "VIGIL_SECRET_POOLED_DB_URL",
        query: "select pg_backend_pid() as pid",
      },
    });
    const sessionOf = async (executionId: number) => {
      const finding = await db
        .selectFrom("findings")
        .select("message")
        .where("execution_id", "=", executionId)
        .executeTakeFirstOrThrow();
      return Number(finding.message);
    };
    const first = await runOnce(db, projectId, executor);
    expect(first.status, first.error_message ?? "").toBe("success");
    const second = await runOnce(db, projectId, executor);
    expect(second.status, second.error_message ?? "").toBe("success");
    const pid = await sessionOf(first.id);
    expect(await sessionOf(second.id)).toBe(pid);

    const session = () =>
      sql<{ state: string; application_name: string }>`
        select state, application_name from pg_stat_activity where pid = ${pid}`
        .execute(db)
        .then((r) => r.rows[0]);
    // between runs it is kept open, idle, outside any transaction
    expect(await session()).toEqual({
      state: "idle",
      application_name: "vigil-datasource",
    });

    executor.signal("SIGTERM");
    expect((await executor.exited).code).toBe(0);
    await waitFor(async () => (await session()) === undefined, {
      message: "the data-source session to end with the executor",
    });
  },
  120_000,
);
