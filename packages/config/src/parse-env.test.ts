import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";

import { defineEnv } from "./define-env.js";
import { databaseEnv } from "./fragments/database.js";
import { executorEnv } from "./fragments/executor.js";
import { logEnv } from "./fragments/log.js";
import { formatEnvProblems, tryParseEnv } from "./parse-env.js";

const ExecutorEnv = defineEnv(databaseEnv, logEnv, executorEnv);
const DATABASE_URL = "postgres://vigil:hunter2-secret@db.internal:5432/vigil";

function problemsOf(env: Record<string, string | undefined>) {
  const result = tryParseEnv(ExecutorEnv, { DATABASE_URL, ...env });
  if (result.ok) {
    throw new Error("expected the environment to be rejected");
  }
  return result.problems;
}

describe("tryParseEnv", () => {
  it("returns the typed config with defaults for unset variables", () => {
    const result = tryParseEnv(ExecutorEnv, {
      DATABASE_URL,
      LEASE_SECONDS: "45",
    });
    expect(result).toMatchObject({
      ok: true,
      config: {
        DATABASE_URL,
        DATABASE_POOL_SIZE: 10,
        LOG_LEVEL: "info",
        LEASE_SECONDS: 45,
        WORK_DIR: ".vigil/work",
      },
    });
  });

  it("treats an empty or blank value as unset, so the default applies", () => {
    const result = tryParseEnv(ExecutorEnv, {
      DATABASE_URL,
      LEASE_SECONDS: "",
      POLL_INTERVAL_MS: "  ",
    });
    expect(result).toMatchObject({
      ok: true,
      config: { LEASE_SECONDS: 30, POLL_INTERVAL_MS: 2000 },
    });
  });

  it("ignores variables the schema does not name", () => {
    const result = tryParseEnv(ExecutorEnv, { DATABASE_URL, HOME: "/root" });
    expect(result.ok && "HOME" in result.config).toBe(false);
  });

  it("names a missing required variable as required but not set", () => {
    const result = tryParseEnv(ExecutorEnv, {});
    expect(result).toEqual({
      ok: false,
      problems: [{ variable: "DATABASE_URL", reason: "required but not set" }],
    });
  });

  it("reports a non-number concurrency by name and reason", () => {
    expect(problemsOf({ EXECUTOR_CONCURRENCY: "abc" })).toEqual([
      {
        variable: "EXECUTOR_CONCURRENCY",
        reason: "expected an integer between 1 and 256, got a non-number",
      },
    ]);
  });

  it("reports every bad variable at once, in schema order", () => {
    const problems = problemsOf({
      LOG_LEVEL: "loud",
      EXECUTOR_CONCURRENCY: "0",
      LEASE_SECONDS: "2.5",
      DATABASE_URL: "mysql://x",
    });
    expect(problems.map((p) => p.variable)).toEqual([
      "DATABASE_URL",
      "LOG_LEVEL",
      "EXECUTOR_CONCURRENCY",
      "LEASE_SECONDS",
    ]);
    expect(formatEnvProblems(problems).split("\n")).toEqual([
      "invalid environment: DATABASE_URL: expected a URL starting with postgres:// or postgresql://",
      "invalid environment: LOG_LEVEL: expected one of trace, debug, info, warn, error, fatal, silent",
      "invalid environment: EXECUTOR_CONCURRENCY: expected an integer between 1 and 256, got a number below the minimum",
      "invalid environment: LEASE_SECONDS: expected an integer between 5 and 3600, got a non-integer",
      "",
    ]);
  });

  it("never repeats a rejected value in its message", () => {
    const values = {
      DATABASE_URL: "mysql://root:s3cr3t-password@db/x",
      LOG_LEVEL: "verbose-s3cr3t",
      EXECUTOR_CONCURRENCY: "s3cr3t-concurrency",
      WORKER_ID: "bad id with s3cr3t spaces",
    };
    const text = formatEnvProblems(problemsOf(values));
    expect(text.split("\n").filter(Boolean)).toHaveLength(4);
    expect(text).not.toContain("s3cr3t");
  });

  it("masks a value that a hand-written refinement quotes", () => {
    const Schema = z.object({
      MODE: z.string().refine((v) => v === "fast", {
        error: (issue) => `unknown mode ${String(issue.input)}`,
      }),
    });
    const result = tryParseEnv(Schema, { MODE: "my-secret-mode" });
    expect(result).toEqual({
      ok: false,
      problems: [{ variable: "MODE", reason: "unknown mode ***" }],
    });
  });

  it("types the config from the fragments", () => {
    const result = tryParseEnv(ExecutorEnv, { DATABASE_URL });
    if (result.ok) {
      expectTypeOf(result.config.EXECUTOR_CONCURRENCY).toEqualTypeOf<number>();
      expectTypeOf(result.config.WORKER_ID).toEqualTypeOf<string | undefined>();
      expectTypeOf(result.config.LOG_LEVEL).toEqualTypeOf<
        "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent"
      >();
    }
    expect(result.ok).toBe(true);
  });

  it("lets a later shape override an earlier one in defineEnv", () => {
    const Schema = defineEnv(logEnv, {
      LOG_LEVEL: z.literal("debug").default("debug"),
    });
    expect(tryParseEnv(Schema, {})).toEqual({
      ok: true,
      config: { LOG_LEVEL: "debug" },
    });
  });
});
