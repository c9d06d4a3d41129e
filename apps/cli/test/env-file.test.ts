import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { findFreePort } from "@vigil/db/embedded";
import { createTestDatabase, waitFor } from "@vigil/db/testing";
import { afterAll, describe, expect, inject, it } from "vitest";

import { parseEnvFile } from "../src/env-file.js";
import { appEntry } from "../src/paths.js";

const SECRET_TOKEN = "env-file-token-0123456789abcdef";

describe("parseEnvFile", () => {
  it("reads dotenv syntax as Node does: export, quotes, comments, multi-line quoted values", () => {
    const values = parseEnvFile(
      [
        "# a comment",
        "",
        "PLAIN=abc",
        "export EXPORTED=1",
        "SPACED = padded value   # trailing comment",
        'DOUBLE="with # hash" # comment',
        "SINGLE='single'",
        'MULTI="line one',
        'line two"',
        "EMPTY=",
        "PLAIN=last wins",
      ].join("\r\n"),
      "f",
    );
    expect(Object.fromEntries(values)).toEqual({
      PLAIN: "last wins",
      EXPORTED: "1",
      SPACED: "padded value",
      DOUBLE: "with # hash",
      SINGLE: "single",
      MULTI: "line one\nline two",
      EMPTY: "",
    });
  });

  it.each([
    ["A=1\nNO_EQUALS_SIGN", 2, "expected NAME=value"],
    ["1STARTS_WITH_DIGIT=x", 1, "expected NAME=value"],
    ["A B=1", 1, "expected NAME=value"],
    [
      'OK=1\nQUOTED="never closed\nB=2',
      2,
      "the quoted value of QUOTED is never closed",
    ],
    [
      "QUOTED='x' trailing",
      1,
      "unexpected text after the closing quote of QUOTED",
    ],
  ])(
    "refuses %j at line %i, naming the file and the line but not the text",
    (text, line, why) => {
      expect(() => parseEnvFile(text, "/x/env")).toThrow(
        `env file /x/env, line ${line}: ${why}`,
      );
      try {
        parseEnvFile(text, "/x/env");
      } catch (err) {
        expect((err as Error).message).not.toContain("never closed\nB");
        expect((err as Error).message).not.toContain("trailing");
      }
    },
  );
});

async function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  // `node -- entry`, as `npm start` runs it (Node 20 would read --env-file itself otherwise)
  const child = spawn(process.execPath, ["--", appEntry("cli"), ...args], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
  child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stdout, stderr };
}

describe("`vigil start` and its env file", () => {
  let stack: ChildProcess | undefined;

  afterAll(async () => {
    if (stack && stack.exitCode === null && stack.signalCode === null) {
      stack.kill("SIGTERM");
      await once(stack, "exit");
    }
  }, 60_000);

  it("a malformed .vigil/env stops start with exit 2, naming the file and line, never a value", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "vigil-envfile-"));
    const file = path.join(dataDir, "env");
    await writeFile(file, `GOOD=1\n# fine\nsecret-value-that-must-not-leak\n`);
    const result = await runCli(["start", "--no-demo"], {
      VIGIL_DATA_DIR: dataDir,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `env file ${file}, line 3: expected NAME=value`,
    );
    expect(result.stderr + result.stdout).not.toContain("secret-value");
  });

  it("a missing --env-file is exit 2 naming the path; --env-file with another command is a usage error", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "vigil-envfile-"));
    const missing = path.join(dataDir, "nope.env");
    const result = await runCli(["start", "--env-file", missing], {
      VIGIL_DATA_DIR: dataDir,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`env file ${missing}: no such file`);

    const other = await runCli(["migrate", "--env-file", missing], {
      VIGIL_DATA_DIR: dataDir,
    });
    expect(other.code).toBe(2);
    expect(other.stderr).toContain("migrate does not take --env-file");
  });

  it("--env-file values reach the apps, the real environment wins, and the start-up line names the file and variables only", async () => {
    const database = await createTestDatabase(
      inject("databaseUrl"),
      inject("templateDatabase"),
      "envfile",
    );
    const port = await findFreePort();
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "vigil-envfile-"));
    await chmod(dataDir, 0o755);
    const file = path.join(dataDir, "local.env");
    await writeFile(
      file,
      [
        `API_TOKENS="${SECRET_TOKEN}"`,
        "API_READ_TOKEN_REQUIRED=true",
        // the environment sets PORT: this one must lose
        "PORT=1",
      ].join("\n"),
    );
    let output = "";
    stack = spawn(
      process.execPath,
      ["--", appEntry("cli"), "start", "--no-demo", "--env-file", file],
      {
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          DATABASE_URL: database.url,
          PORT: String(port),
          VIGIL_DATA_DIR: dataDir,
          EXECUTOR_CONCURRENCY: "1",
          LOG_LEVEL: "warn",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    stack.stdout?.on("data", (b: Buffer) => (output += b.toString()));
    stack.stderr?.on("data", (b: Buffer) => (output += b.toString()));
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitFor(
      () =>
        fetch(`${baseUrl}/ready`).then(
          (r) => r.ok,
          () => false,
        ),
      { timeoutMs: 40_000, message: `the API on ${port}; output:\n${output}` },
    );

    expect(output).toContain(
      `read env file ${file}: set API_TOKENS, API_READ_TOKEN_REQUIRED; kept from the environment: PORT`,
    );
    expect(output).toContain(
      "REPORT_ALLOW_PRIVATE_NETWORKS=true for local work: report, alert and channel URLs on this machine or a private network are allowed",
    );
    expect((await fetch(`${baseUrl}/projects`)).status).toBe(401);
    const authorized = await fetch(`${baseUrl}/projects`, {
      headers: { authorization: `Bearer ${SECRET_TOKEN}` },
    });
    expect(authorized.status).toBe(200);
    expect(output).not.toContain(SECRET_TOKEN);
  }, 90_000);
});
