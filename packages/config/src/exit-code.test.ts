import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

/** Runs a real node process (through tsx, reading the package source) that calls parseEnv. */
function runParseEnv(env: Record<string, string>) {
  const script = [
    'import { parseEnv, defineEnv, databaseEnv, logEnv, executorEnv } from "@vigil/config";',
    "const config = parseEnv(defineEnv(databaseEnv, logEnv, executorEnv));",
    'console.log("started with concurrency", config.EXECUTOR_CONCURRENCY);',
  ].join("\n");
  const { PATH, HOME } = process.env;
  return spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "--conditions=@vigil/source",
      "--input-type=module",
      "-e",
      script,
    ],
    {
      cwd: packageDir,
      env: {
        PATH,
        HOME,
        DATABASE_URL: "postgres://vigil:hunter2-secret@127.0.0.1/vigil",
        ...env,
      },
      encoding: "utf8",
      timeout: 20_000,
    },
  );
}

describe("parseEnv in a real process", () => {
  it("exits with code 2 and one stderr line naming EXECUTOR_CONCURRENCY=abc", () => {
    const child = runParseEnv({ EXECUTOR_CONCURRENCY: "abc" });
    expect(child.status).toBe(2);
    expect(child.stdout).toBe("");
    expect(child.stderr.trimEnd().split("\n")).toEqual([
      "invalid environment: EXECUTOR_CONCURRENCY: expected an integer between 1 and 256, got a non-number",
    ]);
  });

  it("prints one line per bad variable and no value, not even a password", () => {
    const child = runParseEnv({
      EXECUTOR_CONCURRENCY: "abc",
      LEASE_SECONDS: "1",
      DATABASE_URL: "mysql://u:hunter2-secret@h/x",
    });
    expect(child.status).toBe(2);
    expect(
      child.stderr
        .trimEnd()
        .split("\n")
        .map((line) => line.split(":")[1]?.trim()),
    ).toEqual(["DATABASE_URL", "EXECUTOR_CONCURRENCY", "LEASE_SECONDS"]);
    expect(child.stderr).not.toContain("hunter2");
  });

  it("starts normally when the environment is valid", () => {
    const child = runParseEnv({ EXECUTOR_CONCURRENCY: "3" });
    expect(child.stderr).toBe("");
    expect(child.stdout).toBe("started with concurrency 3\n");
    expect(child.status).toBe(0);
  });
});
