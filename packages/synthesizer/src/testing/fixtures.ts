import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RuleSource } from "../types.js";

/** A rule with defaults; override what the test is about. */
export function buildRule(overrides: Partial<RuleSource> = {}): RuleSource {
  return {
    ruleId: "amount-mismatch",
    definitionId: null,
    code: `export function detect(rows, params) {
  return rows.filter((r) => Math.abs(r.order_total - r.paid) > params.tolerance)
    .map((r) => ({ key: r.order_id, message: \`order \${r.order_id} paid \${r.paid}\` }));
}
`,
    parameters: { tolerance: 0.01 },
    severity: "high",
    category: "payments",
    description: "paid amount differs from the order total",
    ...overrides,
  };
}

const workDirs = new Set<string>();

/** A fresh WORK_DIR under the OS temp folder; `removeWorkDirs` (in afterAll) deletes them. */
export async function makeWorkDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "vigil-synth-"));
  workDirs.add(dir);
  return dir;
}

export async function removeWorkDirs(): Promise<void> {
  await Promise.all(
    [...workDirs].map((dir) => rm(dir, { recursive: true, force: true })),
  );
  workDirs.clear();
}

export interface RunFolderOptions {
  workDir: string;
  projectId: string;
  executionId?: string;
  rows: unknown[];
  window?: { start: string; end: string };
  /** The project's max_findings_per_rule; unset: context.json names none (the runtime's default). */
  maxFindingsPerRule?: unknown;
}

/** Writes `runs/<executionId>/` as the executor and @vigil/datasources would. */
export async function writeRunFolder(
  options: RunFolderOptions,
): Promise<string> {
  const executionId = options.executionId ?? randomBytes(6).toString("hex");
  const runDir = join(options.workDir, options.projectId, "runs", executionId);
  await mkdir(runDir, { recursive: true });
  const context = {
    projectId: options.projectId,
    executionId,
    triggerId: "trigger-1",
    attempt: 1,
    scheduledFor: "2026-11-22T10:00:00.000Z",
    window: options.window ?? {
      start: "2026-11-21T10:00:00.000Z",
      end: "2026-11-22T10:00:00.000Z",
    },
    ...(options.maxFindingsPerRule === undefined
      ? {}
      : { maxFindingsPerRule: options.maxFindingsPerRule }),
  };
  await writeFile(join(runDir, "context.json"), JSON.stringify(context));
  await writeFile(
    join(runDir, "rows.ndjson"),
    options.rows.map((row) => JSON.stringify(row)).join("\n") + "\n",
  );
  return runDir;
}

export interface DetectorProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** What the process wrote to file descriptor 3 (only when a nonce was given). */
  fd3: string;
}

/** The permission flags of the detector protocol: read the detector and run folders, write the run folder. */
export function permissionFlags(detectorDir: string, runDir: string): string[] {
  const flag =
    Number(process.versions.node.split(".")[0]) >= 22
      ? "--permission"
      : "--experimental-permission";
  return [
    flag,
    "--disallow-code-generation-from-strings",
    `--allow-fs-read=${detectorDir}`,
    `--allow-fs-read=${runDir}`,
    `--allow-fs-write=${runDir}`,
  ];
}

/** Runs `node main.mjs <runDir>` in `dir`, as the executor does (nonce on stdin, fd 3 a pipe) or by hand. */
export function runDetectorProcess(
  dir: string,
  runDir: string,
  nonce?: string,
  nodeArgs: string[] = [],
): Promise<DetectorProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, "main.mjs", runDir], {
      cwd: dir,
      env: { NODE_ENV: "production", TZ: "UTC" },
      stdio:
        nonce === undefined
          ? ["ignore", "pipe", "pipe"]
          : ["pipe", "pipe", "pipe", "pipe"],
    });
    const out = { stdout: "", stderr: "", fd3: "" };
    child.stdout?.on(
      "data",
      (chunk: Buffer) => (out.stdout += chunk.toString()),
    );
    child.stderr?.on(
      "data",
      (chunk: Buffer) => (out.stderr += chunk.toString()),
    );
    const channel = child.stdio[3];
    if (channel !== null && channel !== undefined && "on" in channel) {
      channel.on("data", (chunk: Buffer) => (out.fd3 += chunk.toString()));
    }
    if (nonce !== undefined) {
      child.stdin?.end(`${JSON.stringify({ nonce })}\n`);
    }
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, ...out }));
  });
}

export const newNonce = (): string => randomBytes(32).toString("hex");
