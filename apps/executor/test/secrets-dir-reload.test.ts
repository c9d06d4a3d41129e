import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { dbTest, waitFor } from "@vigil/db/testing";
import { afterAll, expect } from "vitest";

import { createProject, runOnce } from "./fixtures/hostile/harness.js";
import { killStartedExecutors, makeWorkDir, startExecutor } from "./helpers.js";
import { startReportReceiver } from "./reports-helpers.js";

// SECRETS_DIR is read at each run and at each delivery attempt: a secret file added or changed
// while the executor runs takes effect at the next run, with no restart.
afterAll(killStartedExecutors);

const countRule = {
  ruleId: "count",
  code: `export function detect(rows) { return [{ key: "rows", message: String(rows.length) }]; }`,
};

async function executorWithEmptySecretsDir(databaseUrl: string) {
  const secretsDir = await mkdtemp(
    path.join(tmpdir(), "vigil-secrets-reload-"),
  );
  const executor = startExecutor(databaseUrl, {
    WORK_DIR: await makeWorkDir(),
    SECRETS_DIR: secretsDir,
    POLL_INTERVAL_MS: "200",
    REPORT_ALLOW_PRIVATE_NETWORKS: "true",
  });
  return { executor, secretsDir };
}

dbTest(
  "a data source's secret file added, changed and removed under a running executor counts from the next run",
  async ({ db, testDatabase }) => {
    const { executor, secretsDir } = await executorWithEmptySecretsDir(
      testDatabase.url,
    );
    const name = "VIGIL_SECRET_RELOAD_DB_URL";
    const projectId = await createProject(db, [countRule], {
      data_source: {
        type: "sql",
        driver: "postgres",
        url_env: name,
        query: "select g from generate_series(1, 3) g",
      },
    });

    const before = await runOnce(db, projectId, executor);
    expect(before.status).toBe("failed");
    expect(before.error_message).toContain(
      `the secret ${name} is not available on the executor`,
    );
    expect(before.error_message).toContain(
      `no non-empty file ${name} in SECRETS_DIR`,
    );

    await writeFile(path.join(secretsDir, name), `${testDatabase.url}\n`);
    const added = await runOnce(db, projectId, executor);
    expect(added.status, added.error_message ?? "").toBe("success");
    expect(added.findings_count).toBe(1);

    // changed: a database that does not exist on the same server
    const wrong = new URL(testDatabase.url);
    wrong.pathname = "/no_such_database_for_reload";
    await writeFile(path.join(secretsDir, name), wrong.toString());
    const changed = await runOnce(db, projectId, executor);
    expect(changed.status).toBe("failed");
    expect(changed.error_message).toContain("no_such_database_for_reload");

    await rm(path.join(secretsDir, name));
    const removed = await runOnce(db, projectId, executor);
    expect(removed.status).toBe("failed");
    expect(removed.error_message).toContain(
      `the secret ${name} is not available`,
    );

    expect(executor.logs.join("\n")).not.toContain(testDatabase.url);
    expect(executor.child.exitCode).toBeNull();
    // the next test's reports must reach its own executor, the one with the secret
    executor.signal("SIGTERM");
    await executor.exited;
  },
  120_000,
);

dbTest(
  "a report's url_env secret file added under a running executor is used by the next delivery attempt",
  async ({ db, testDatabase }) => {
    const { executor, secretsDir } = await executorWithEmptySecretsDir(
      testDatabase.url,
    );
    const receiver = await startReportReceiver();
    try {
      const name = "VIGIL_SECRET_RELOAD_HOOK";
      const projectId = await createProject(db, [countRule], {
        report: { mode: "always", url_env: name },
      });
      const execution = await runOnce(db, projectId, executor);
      expect(execution.status, execution.error_message ?? "").toBe("success");

      const outbox = () =>
        db
          .selectFrom("report_outbox")
          .selectAll()
          .where("execution_id", "=", execution.id)
          .executeTakeFirstOrThrow();
      const failed = await waitFor(
        async () => {
          const row = await outbox();
          // attempts counts from the claim: the attempt is over once it is no longer delivering
          return row.attempts >= 1 && row.status !== "delivering"
            ? row
            : undefined;
        },
        { timeoutMs: 20_000, message: "the first delivery attempt" },
      );
      expect(failed.status).toBe("pending");
      expect(failed.last_error).toContain(
        `the secret ${name} is not available on the executor`,
      );
      expect(receiver.requests).toEqual([]);

      await writeFile(path.join(secretsDir, name), `${receiver.url}\n`);
      // the next attempt now instead of after the backoff (10 s and more)
      await db
        .updateTable("report_outbox")
        .set({ next_attempt_at: new Date() })
        .where("id", "=", failed.id)
        .execute();
      const delivered = await waitFor(
        async () => {
          const row = await outbox();
          return row.status === "delivered" ? row : undefined;
        },
        {
          timeoutMs: 20_000,
          message: `delivery after the secret file appeared`,
        },
      ).catch(async (err: Error) => {
        throw new Error(
          `${err.message}: ${JSON.stringify(await outbox())}\n${executor.logs.slice(-10).join("\n")}`,
        );
      });
      expect(delivered.attempts).toBe(failed.attempts + 1);
      expect(receiver.accepted.size).toBe(1);
      expect(executor.logs.join("\n")).not.toContain(receiver.url);
    } finally {
      await receiver.close();
    }
    expect(executor.child.exitCode).toBeNull();
  },
  90_000,
);
