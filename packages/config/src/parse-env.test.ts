import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";

import { defineEnv } from "./define-env.js";
import { apiEnv } from "./fragments/api.js";
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

describe("secrets from files (NAME_FILE)", () => {
  const dir = mkdtempSync(join(tmpdir(), "vigil-env-"));
  const write = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const ApiLike = defineEnv(databaseEnv, apiEnv);

  it("reads a secret variable from the file NAME_FILE names, trailing newline trimmed", () => {
    const result = tryParseEnv(ApiLike, {
      DATABASE_URL_FILE: write("db", `${DATABASE_URL}\n`),
      API_TOKENS_FILE: write(
        "tokens",
        "token-one-aaaaaaaaaaaa,token-two-bbbbbbbbbbbb\r\n",
      ),
    });
    expect(result).toMatchObject({
      ok: true,
      config: {
        DATABASE_URL,
        API_TOKENS: ["token-one-aaaaaaaaaaaa", "token-two-bbbbbbbbbbbb"],
      },
    });
  });

  it("refuses NAME and NAME_FILE together, and a file that cannot be read, naming the variable only", () => {
    const both = tryParseEnv(ApiLike, {
      DATABASE_URL,
      DATABASE_URL_FILE: write("db2", DATABASE_URL),
    });
    expect(both).toEqual({
      ok: false,
      problems: [
        {
          variable: "DATABASE_URL",
          reason:
            "both DATABASE_URL and DATABASE_URL_FILE are set; set only one",
        },
      ],
    });
    const missing = tryParseEnv(ApiLike, {
      DATABASE_URL_FILE: join(dir, "absent"),
    });
    expect(missing.ok).toBe(false);
    expect(!missing.ok && missing.problems).toEqual([
      {
        variable: "DATABASE_URL_FILE",
        reason: "cannot read the file it names (ENOENT)",
      },
    ]);
  });

  it("validates the file's content like the variable itself, without quoting it", () => {
    const result = tryParseEnv(ApiLike, {
      DATABASE_URL,
      API_TOKENS_FILE: write("short", "too-short-secret\n".slice(0, 9)),
    });
    expect(result.ok).toBe(false);
    const text = formatEnvProblems(!result.ok ? result.problems : []);
    expect(text).toContain("API_TOKENS:");
    expect(text).not.toContain("too-short");
  });

  it("ignores NAME_FILE for variables the app does not read, and for non-secret ones", () => {
    expect(
      tryParseEnv(ApiLike, {
        DATABASE_URL,
        REPORT_SIGNING_SECRET_FILE: join(dir, "absent"),
        PORT_FILE: write("port", "9999"),
      }),
    ).toMatchObject({ ok: true, config: { PORT: 8080 } });
  });
});
