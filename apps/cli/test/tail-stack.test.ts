import { spawn } from "node:child_process";

import { createTestDatabase, waitFor } from "@vigil/db/testing";
import pg from "pg";
import { expect, inject, it } from "vitest";

import { appEntry } from "../src/paths.js";
import { startTestStack } from "./start-stack.js";

const TOKEN = "tail-test-token-0123456789abcdef";
const PROJECT = "tail-check";
/** How long executions keep finishing while `vigil tail` follows them. */
const FOLLOW_MS = 30_000;

/**
 * `vigil tail` as a user runs it, a real subprocess following a real stack: a schedule every two
 * seconds finishes executions for 30 s; afterwards every finished execution of the project is in
 * tail's output exactly once, in the order they finished. (Comparing a millisecond cursor with
 * microsecond `finished_at` once printed the same execution on every poll.)
 */
it("`vigil tail PROJECT` prints each execution once, in order, across 30 s of runs", async () => {
  const database = await createTestDatabase(
    inject("databaseUrl"),
    inject("templateDatabase"),
    "tail",
  );
  const stack = await startTestStack({
    databaseUrl: database.url,
    token: TOKEN,
    env: { EXECUTOR_CONCURRENCY: "2", POLL_INTERVAL_MS: "500" },
  });
  const tail = spawn(process.execPath, [appEntry("cli"), "tail", PROJECT], {
    env: { PATH: process.env.PATH, DATABASE_URL: database.url },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  tail.stdout.on("data", (b: Buffer) => (out += b.toString()));
  tail.stderr.on("data", (b: Buffer) => (err += b.toString()));
  const tailExited = new Promise<number | null>((resolve) =>
    tail.once("exit", (code) => resolve(code)),
  );
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  try {
    const created = await fetch(`${stack.baseUrl}/projects`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${TOKEN}`,
      },
      body: JSON.stringify({
        id: PROJECT,
        name: "Tail check",
        config: { data_source: { type: "manual" }, timeout_seconds: 10 },
        schedules: [{ cron_expression: "*/2 * * * * *", timezone: "UTC" }],
        rules: [
          {
            rule_id: "always-one",
            code: "export function detect() { return [{ key: 'k', message: 'one' }]; }",
          },
        ],
      }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    await new Promise((r) => setTimeout(r, FOLLOW_MS));
    // no new runs from here on: what finished is final, and tail catches up within a poll or two
    expect(await stack.stop()).toBe(0);
    const { rows } = await db.query<{ id: string }>(
      `SELECT id FROM executions WHERE project_id = $1 AND finished_at IS NOT NULL
         ORDER BY date_trunc('milliseconds', finished_at), id`,
      [PROJECT],
    );
    const finished = rows.map((r) => Number(r.id));
    const printed = () =>
      [...out.matchAll(/ #(\d+) /g)].map((m) => Number(m[1]));
    await waitFor(() => printed().length >= finished.length, {
      timeoutMs: 10_000,
      message: `tail to print ${finished.length} executions; it printed:\n${out}\n${err}`,
    });
    // one more poll: a repeat would show up here
    await new Promise((r) => setTimeout(r, 2_500));
    tail.kill("SIGTERM");
    expect(await tailExited).toBe(0);
    // 30 s of a schedule every 2 s: well over ten runs, all of them followed live
    expect(finished.length).toBeGreaterThanOrEqual(10);
    expect(printed(), out).toEqual(finished);
    expect(out.trimEnd().split("\n")).toHaveLength(finished.length);
  } finally {
    tail.kill("SIGKILL");
    await stack.stop();
    await db.end();
  }
}, 120_000);
