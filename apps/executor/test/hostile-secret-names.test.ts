import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, expect } from "vitest";

import { dbTest } from "@vigil/db/testing";

import {
  createProject,
  explain,
  runProject,
  sharedExecutor,
} from "./fixtures/hostile/harness.js";
import { killStartedExecutors } from "./helpers.js";

// A project naming the executor's own settings must never resolve them: the API refuses it at
// write time (contracts), and a row that got into the database anyway (an older version, a hand
// edit) fails its run with a message that names the rule and never the value.
afterAll(killStartedExecutors);

const honestRule = {
  ruleId: "count",
  code: `export function detect(rows) { return [{ key: "rows", message: String(rows.length) }]; }`,
};

async function executorWithSecretsDir(databaseUrl: string) {
  const dir = await mkdtemp(path.join(tmpdir(), "vigil-secrets-"));
  await writeFile(
    path.join(dir, "VIGIL_SECRET_FILE_DB_URL"),
    `${databaseUrl}\n`,
  );
  return sharedExecutor(databaseUrl, {
    SECRETS_DIR: dir,
    VIGIL_SECRET_ENV_DB_URL: databaseUrl,
    // so the only thing between the source and the test's server is the secret rule
    DATASOURCE_ALLOW_PRIVATE_NETWORKS: "true",
  });
}

dbTest(
  "a project whose url_env is DATABASE_URL fails its run with the rule, never the URL, and the executor stays up",
  async ({ db, testDatabase }) => {
    const { executor } = await executorWithSecretsDir(testDatabase.url);
    for (const name of [
      "DATABASE_URL",
      "API_TOKENS",
      "REPORT_SIGNING_SECRET",
    ]) {
      const projectId = await createProject(db, [honestRule], {
        data_source: {
          type: "sql",
          driver: "postgres",
          url_env: name,
          query: "select current_user as who",
        },
      });
      const run = await runProject(db, testDatabase.url, projectId);
      expect(run.execution.status, explain(run, executor)).toBe("failed");
      expect(run.execution.error_message).toContain(
        "must name a secret made available to projects: VIGIL_SECRET_<NAME>",
      );
      expect(run.execution.error_message).toContain("url_env");
      const text = JSON.stringify(run.execution);
      expect(text).not.toContain(testDatabase.url);
      expect(text).not.toContain("api-token-that-must-not-leak");
      expect(text).not.toContain("report-secret-that-must-not-leak");
      expect(run.findings).toEqual({});
    }
    expect(executor.logs.join("\n")).not.toContain(testDatabase.url);
    expect(executor.child.exitCode).toBeNull();
  },
  90_000,
);

dbTest(
  "an HTTP source with token_env DATABASE_URL sends nothing to the author's host",
  async ({ db, testDatabase }) => {
    const { executor } = await executorWithSecretsDir(testDatabase.url);
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.url} ${req.headers.authorization ?? ""}`);
      res.setHeader("content-type", "application/json");
      res.end("[]");
    });
    await new Promise<void>((resolve) =>
      server.listen(0, "127.0.0.1", resolve),
    );
    try {
      const { port } = server.address() as AddressInfo;
      const projectId = await createProject(db, [honestRule], {
        data_source: {
          type: "http",
          url: `http://127.0.0.1:${port}/collect`,
          allow_private_network: true,
          auth: { type: "bearer", token_env: "DATABASE_URL" },
        },
      });
      const run = await runProject(db, testDatabase.url, projectId);
      expect(run.execution.status, explain(run, executor)).toBe("failed");
      expect(run.execution.error_message).toContain("auth.token_env");
      expect(seen).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(executor.child.exitCode).toBeNull();
  },
  60_000,
);

dbTest(
  "VIGIL_SECRET_* names resolve from the environment and from SECRETS_DIR; a missing one fails clearly",
  async ({ db, testDatabase }) => {
    const { executor } = await executorWithSecretsDir(testDatabase.url);
    for (const name of [
      "VIGIL_SECRET_ENV_DB_URL",
      "VIGIL_SECRET_FILE_DB_URL",
    ]) {
      const projectId = await createProject(db, [honestRule], {
        data_source: {
          type: "sql",
          driver: "postgres",
          url_env: name,
          query: "select g from generate_series(1, 3) g",
        },
      });
      const run = await runProject(db, testDatabase.url, projectId);
      expect(run.execution.status, explain(run, executor)).toBe("success");
      expect(run.findings.count?.rows).toBe("3");
    }
    const missing = await createProject(db, [honestRule], {
      data_source: {
        type: "sql",
        driver: "postgres",
        url_env: "VIGIL_SECRET_NOT_PROVIDED",
        query: "select 1",
      },
    });
    const run = await runProject(db, testDatabase.url, missing);
    expect(run.execution.status, explain(run, executor)).toBe("failed");
    expect(run.execution.error_message).toContain(
      "the secret VIGIL_SECRET_NOT_PROVIDED is not available on the executor (no non-empty environment variable VIGIL_SECRET_NOT_PROVIDED; no non-empty file VIGIL_SECRET_NOT_PROVIDED in SECRETS_DIR)",
    );
    expect(executor.child.exitCode).toBeNull();
  },
  90_000,
);
