import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import type { Db } from "@vigil/db";
import { dbTest, waitFor } from "@vigil/db/testing";
import { expect } from "vitest";

import { appEntry } from "../src/paths.js";
import { runCliOn } from "./run-cli.js";

const project = (id: string, cron = "0 * * * *") => `
id: ${id}
name: ${id}
config: { data_source: { type: manual } }
schedules:
  - { cron_expression: "${cron}", timezone: UTC }
rules:
  - { rule_id: r1, code: "export const detect = () => [];" }
`;

const projectIds = async (db: Db) =>
  (await db.selectFrom("projects").select("id").orderBy("id").execute()).map(
    (p) => p.id,
  );

dbTest(
  "apply takes a folder; --prune deletes what the folder no longer has (audited), without it they are kept and named; a project id twice is refused",
  async ({ db, testDatabase }) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "vigil-apply-dir-"));
    await writeFile(path.join(dir, "a.yaml"), project("team-a"));
    await writeFile(path.join(dir, "b.yml"), project("team-b"));
    await writeFile(path.join(dir, "notes.txt"), "not a project");
    const first = await runCliOn(["apply", "-f", dir], testDatabase.url);
    expect(first.code, first.stderr).toBe(0);
    expect(await projectIds(db)).toEqual(["team-a", "team-b"]);

    await rm(path.join(dir, "b.yml"));
    const kept = await runCliOn(["apply", "-f", dir], testDatabase.url);
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stdout).toContain(
      "1 project(s) in the database are not in the file and were kept (--prune removes them): team-b",
    );
    expect(await projectIds(db)).toEqual(["team-a", "team-b"]);

    const pruned = await runCliOn(
      ["apply", "-f", dir, "--prune"],
      testDatabase.url,
    );
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toContain(
      "team-b: removed (not in the file; --prune)",
    );
    expect(await projectIds(db)).toEqual(["team-a"]);
    const audit = await db
      .selectFrom("audit_events")
      .select(["action", "actor"])
      .where("target", "=", "project:team-b")
      .orderBy("id")
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      "project.create",
      "project.delete",
    ]);

    await writeFile(path.join(dir, "c.yaml"), project("team-a"));
    const twice = await runCliOn(["apply", "-f", dir], testDatabase.url);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain(
      'team-a: id: project "team-a" is defined more than once',
    );
  },
);

dbTest(
  "apply --watch applies each saved change, refuses a bad file and keeps the last good state, and stops on SIGINT",
  async ({ db, testDatabase }) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "vigil-apply-watch-"));
    const file = path.join(dir, "projects.yaml");
    await writeFile(file, project("watched"));
    const child = spawn(
      process.execPath,
      [appEntry("cli"), "apply", "-f", file, "--watch"],
      {
        env: { PATH: process.env.PATH, DATABASE_URL: testDatabase.url },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on("exit", (code) => resolve(code)),
    );
    try {
      await waitFor(() => stdout.includes("watching"), { timeoutMs: 15_000 });
      const cron = async () =>
        (
          await db
            .selectFrom("schedules")
            .select("cron_expression")
            .where("project_id", "=", "watched")
            .execute()
        ).map((s) => s.cron_expression);
      expect(await cron()).toEqual(["0 * * * *"]);

      await writeFile(file, project("watched", "*/15 * * * *"));
      await waitFor(async () => (await cron())[0] === "*/15 * * * *", {
        timeoutMs: 15_000,
      });

      await writeFile(file, project("watched", "61 * * * *"));
      await waitFor(() => stdout.includes("kept the last applied state"), {
        timeoutMs: 15_000,
      });
      expect(stderr).toContain("watched: schedules.0.cron_expression");
      expect(await cron()).toEqual(["*/15 * * * *"]);
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited).toBe(0);
  },
);
