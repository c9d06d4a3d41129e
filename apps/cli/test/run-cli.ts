import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { appEntry } from "../src/paths.js";

const run = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (`apps/cli/dist/main.js`) with only PATH and `env` in its environment. */
export async function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [appEntry("cli"), ...args],
      { env: { PATH: process.env.PATH, ...env } },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as CliResult;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** `runCli` against one database. */
export const runCliOn = (args: string[], databaseUrl: string) =>
  runCli(args, { DATABASE_URL: databaseUrl });

/** A YAML file of `text` in a fresh temporary folder, for `vigil validate|apply -f`. */
export async function yamlFile(text: string): Promise<string> {
  const f = path.join(
    await mkdtemp(path.join(os.tmpdir(), "vigil-cli-")),
    "projects.yaml",
  );
  await writeFile(f, text);
  return f;
}
