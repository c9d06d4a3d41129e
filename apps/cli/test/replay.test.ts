import { spawn, type ChildProcess } from "node:child_process";
import { chmod, mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";

import type { Db } from "@vigil/db";
import { dbTest, insertProject, insertRule } from "@vigil/db/testing";
import { describe, expect, onTestFinished } from "vitest";

import { appEntry } from "../src/paths.js";
import { runCliOn as vigil } from "./run-cli.js";

/** A real executor process on `databaseUrl` with a WORK_DIR of its own; stopped after the test. */
async function startExecutor(databaseUrl: string): Promise<() => string> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), "vigil-cli-replay-"));
  // detectors run as another uid, which must be able to enter WORK_DIR (mkdtemp makes 0700)
  await chmod(workDir, 0o755);
  const child: ChildProcess = spawn(process.execPath, [appEntry("executor")], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: databaseUrl,
      WORK_DIR: workDir,
      METRICS_PORT: "0",
      POLL_INTERVAL_MS: "200",
      EXECUTOR_CONCURRENCY: "2",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (b: Buffer) => (output += b.toString()));
  child.stderr?.on("data", (b: Buffer) => (output += b.toString()));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
    }
    await exited;
  });
  return () => output;
}

/** A finished execution of the project, its input kept (rows) or not kept as `too_large`. */
async function seedExecution(
  db: Db,
  projectId: string,
  rows: unknown[] | "too_large",
): Promise<number> {
  const { id } = await db
    .insertInto("executions")
    .values({
      project_id: projectId,
      status: "success",
      scheduled_for: new Date(),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const gz =
    rows === "too_large"
      ? null
      : gzipSync(rows.map((r) => JSON.stringify(r) + "\n").join(""));
  await db
    .insertInto("execution_inputs")
    .values({
      execution_id: id,
      project_id: projectId,
      window_start: new Date("2026-11-01T00:00:00Z"),
      window_end: new Date("2026-11-01T01:00:00Z"),
      row_count: rows === "too_large" ? 1 : rows.length,
      bytes: gz?.length ?? 50_000_000,
      raw_bytes: 100,
      rows_gz: gz,
      not_kept: gz === null ? "too_large" : null,
    })
    .execute();
  return id;
}

describe("vigil replay", () => {
  dbTest(
    "queues a replay trigger of a kept input on its window; a not-kept input, an unknown id and a bad id are refused, naming why",
    async ({ db, testDatabase }) => {
      const project = await insertProject(db);
      const kept = await seedExecution(db, project.id, [{ id: 1 }]);
      const tooLarge = await seedExecution(db, project.id, "too_large");

      const ok = await vigil(["replay", String(kept)], testDatabase.url);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toContain(`of execution ${kept}`);
      expect(ok.stdout).toContain(
        "window 2026-11-01T00:00:00.000Z to 2026-11-01T01:00:00.000Z",
      );
      const triggers = await db
        .selectFrom("triggers")
        .select(["source", "replay_of", "requested_by", "window_start"])
        .where("project_id", "=", project.id)
        .execute();
      expect(triggers).toEqual([
        {
          source: "replay",
          replay_of: kept,
          requested_by: "cli",
          window_start: new Date("2026-11-01T00:00:00Z"),
        },
      ]);

      const refused = await vigil(
        ["replay", String(tooLarge)],
        testDatabase.url,
      );
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("EXECUTION_INPUT_MAX_BYTES");
      const unknown = await vigil(["replay", "999999"], testDatabase.url);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain("no execution 999999");
      const bad = await vigil(["replay", "abc"], testDatabase.url);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("replay needs an execution id");
      const none = await vigil(["replay"], testDatabase.url);
      expect(none.code).toBe(2);
      expect(
        await db
          .selectFrom("triggers")
          .select("id")
          .where("project_id", "=", project.id)
          .execute(),
      ).toHaveLength(1);
    },
  );

  dbTest(
    "--wait: a real executor runs the replay on the stored rows, and the command prints its outcome and exits 0",
    async ({ db, testDatabase }) => {
      const project = await insertProject(db, {
        config: { data_source: { type: "manual" }, max_concurrency: 1 },
      });
      await insertRule(db, project.id, {
        ruleId: "unpaid",
        code: "export function detect(rows) { return rows.filter((r) => !r.paid).map((r) => ({ key: String(r.id), message: 'unpaid ' + r.id })); }",
      });
      const rows = [
        { id: 1, paid: true },
        { id: 2, paid: false },
        { id: 3, paid: false },
      ];
      const text = JSON.stringify(rows);
      await db
        .insertInto("datasets")
        .values({
          project_id: project.id,
          format: "json",
          rows: text,
          row_count: rows.length,
          size_bytes: text.length,
          sha256: "0".repeat(64),
        })
        .execute();
      const executorOutput = await startExecutor(testDatabase.url);

      const run = await vigil(["run", project.id], testDatabase.url);
      expect(run.code, `${run.stdout}${run.stderr}${executorOutput()}`).toBe(0);
      const original = await db
        .selectFrom("executions")
        .select(["id", "findings_count"])
        .where("project_id", "=", project.id)
        .executeTakeFirstOrThrow();
      expect(original.findings_count).toBe(2);

      const replay = await vigil(
        ["replay", String(original.id), "--wait", "--timeout", "60"],
        testDatabase.url,
      );
      expect(
        replay.code,
        `${replay.stdout}${replay.stderr}${executorOutput()}`,
      ).toBe(0);
      expect(replay.stdout).toMatch(/trigger \d+: succeeded/);
      expect(replay.stdout).toMatch(/execution \d+: success, 2 finding\(s\)/);
      const replayed = await db
        .selectFrom("executions")
        .select(["source", "findings_count"])
        .where("project_id", "=", project.id)
        .where("id", "!=", original.id)
        .execute();
      expect(replayed).toEqual([{ source: "replay", findings_count: 2 }]);
    },
    60_000,
  );
});
