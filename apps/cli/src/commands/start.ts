import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import { migrateToLatest } from "@vigil/db";
import { makeSearchable } from "@vigil/db/embedded";

import type { CliContext } from "../context.js";
import { withDb } from "../with-db.js";
import { DEMO_DB_URL_ENV } from "../demo/demo-project.js";
import {
  type EmbeddedDatabase,
  startEmbeddedDatabase,
} from "../embedded-database.js";
import { defaultEnvFilePath } from "../env-file.js";
import { appEntry } from "../paths.js";
import { createSupervisor } from "../supervisor.js";
import { seedDemo } from "./seed-demo.js";

const APPS = ["api", "trigger-creator", "executor", "cleaner"] as const;

export interface StartOptions {
  seedDemo: boolean;
  /** The real environment, without the env file's values: what the supervisor is re-run with. */
  environment: NodeJS.ProcessEnv;
  /** The env file read, if any: its path and the names it set (never values). */
  envFile:
    { file: string; fromFile: string[]; overridden: string[] } | undefined;
}

/**
 * `vigil start` (what `npm start` runs): PostgreSQL (embedded unless DATABASE_URL is set),
 * migrations, the demo project, and the four apps as separate processes with prefixed logs.
 * The first SIGINT/SIGTERM stops the apps gracefully, then PostgreSQL; nothing is left behind.
 */
export async function startCommand(
  ctx: CliContext,
  options: StartOptions,
): Promise<number> {
  return ctx.env.VIGIL_SUPERVISOR === "1"
    ? superviseStack(ctx, options)
    : runDetachedSupervisor(options.environment);
}

/**
 * The foreground half: re-runs `vigil start` in its own process group and forwards one
 * SIGTERM per signal. A terminal's Ctrl-C then reaches PostgreSQL and the apps only through
 * the supervisor, in order (apps first, database last), never all at once. Its stdin is the
 * supervisor's lifeline: if this process is killed outright, the supervisor stops everything.
 */
async function runDetachedSupervisor(env: NodeJS.ProcessEnv): Promise<number> {
  // `--` first: Node 20 itself looks for --env-file among a script's arguments and exits 9
  // when that file is missing, before vigil could say so
  const child = spawn(process.execPath, ["--", ...process.argv.slice(1)], {
    env: { ...env, VIGIL_SUPERVISOR: "1" },
    stdio: ["pipe", "inherit", "inherit"],
    detached: true,
  });
  const forward = () => child.exitCode === null && child.kill("SIGTERM");
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  process.on("SIGHUP", forward);
  return new Promise((resolve) =>
    child.on("exit", (code) => resolve(code ?? 1)),
  );
}

async function superviseStack(
  ctx: CliContext,
  options: StartOptions,
): Promise<number> {
  const say = (line: string) => ctx.out(`${"[vigil]".padEnd(18)}${line}`);
  // Handlers first: a signal during start-up must still stop PostgreSQL, not kill us under it.
  const stopRequest = watchStopRequests(say);
  const dataDir = path.resolve(ctx.config.VIGIL_DATA_DIR);
  say(describeEnvFile(options.envFile, options.environment));
  let embedded: EmbeddedDatabase | undefined;
  const stopDatabase = async () => {
    if (embedded) {
      say("stopping PostgreSQL");
      await embedded.server
        .stop()
        .catch((err: unknown) => say(`PostgreSQL stop failed: ${String(err)}`));
    }
  };

  let databaseUrl = ctx.config.DATABASE_URL;
  try {
    if (!databaseUrl) {
      say(
        `starting embedded PostgreSQL on 127.0.0.1:${ctx.config.VIGIL_PG_PORT} (data in ${path.join(dataDir, "pgdata")})`,
      );
      embedded = await startEmbeddedDatabase({
        dataDir,
        port: ctx.config.VIGIL_PG_PORT,
        onLog: (line) =>
          /FATAL|PANIC|searchable/.test(line)
            ? ctx.out(`${"[postgres]".padEnd(18)}${line}`)
            : undefined,
      });
      databaseUrl = embedded.url;
    }
    if (!stopRequest.requested) {
      await prepareDatabase(databaseUrl, options, say);
    }
  } catch (err) {
    ctx.err(`start failed: ${(err as Error).message}`);
    await stopDatabase();
    return 1;
  }
  if (stopRequest.requested) {
    await stopDatabase();
    return 0;
  }

  const apiToken = ctx.env.API_TOKENS
    ? undefined
    : await localApiToken(dataDir);
  const workDir = path.resolve(ctx.env.WORK_DIR ?? path.join(dataDir, "work"));
  if (process.getuid?.() === 0) {
    // detectors run as other uids, which must be able to reach WORK_DIR
    await mkdir(workDir, { recursive: true });
    for (const dir of await makeSearchable(workDir)) {
      say(`made ${dir} searchable (o+x) so detectors can reach ${workDir}`);
    }
  }
  const env: NodeJS.ProcessEnv = {
    ...ctx.env,
    VIGIL_SUPERVISOR: undefined,
    DATABASE_URL: databaseUrl,
    [DEMO_DB_URL_ENV]: ctx.env[DEMO_DB_URL_ENV] ?? databaseUrl,
    WORK_DIR: workDir,
    ...(apiToken ? { API_TOKENS: apiToken } : {}),
    // local development: report receivers and alert hooks usually run on this machine
    REPORT_ALLOW_PRIVATE_NETWORKS:
      ctx.env.REPORT_ALLOW_PRIVATE_NETWORKS ?? "true",
  };
  const supervisor = createSupervisor({
    apps: APPS.map((name) => ({ name, entry: appEntry(name), env })),
    write: (line) => process.stdout.write(`${line}\n`),
    color: process.stdout.isTTY === true,
    stopTimeoutMs: 45_000,
  });
  supervisor.start();
  say(
    ctx.env.REPORT_ALLOW_PRIVATE_NETWORKS === undefined
      ? "REPORT_ALLOW_PRIVATE_NETWORKS=true for local work: report, alert and channel URLs on this machine or a private network are allowed (production refuses them; set REPORT_ALLOW_PRIVATE_NETWORKS=false to do the same)"
      : `REPORT_ALLOW_PRIVATE_NETWORKS=${ctx.env.REPORT_ALLOW_PRIVATE_NETWORKS} from the environment`,
  );
  say(
    `API on http://localhost:${ctx.env.PORT ?? "8080"} (try /projects/demo-orders/executions); write token in ${path.join(dataDir, "api-token")}`,
  );

  await stopRequest.promise;
  await supervisor.stop();
  await stopDatabase();
  say("stopped");
  return 0;
}

function describeEnvFile(
  envFile: StartOptions["envFile"],
  environment: NodeJS.ProcessEnv,
): string {
  if (!envFile) {
    return `no env file (${defaultEnvFilePath(environment)} not found; --env-file PATH names one): environment only`;
  }
  const set = envFile.fromFile.length
    ? `set ${envFile.fromFile.join(", ")}`
    : "set nothing";
  const kept = envFile.overridden.length
    ? `; kept from the environment: ${envFile.overridden.join(", ")}`
    : "";
  return `read env file ${envFile.file}: ${set}${kept}`;
}

async function prepareDatabase(
  databaseUrl: string,
  options: StartOptions,
  say: (line: string) => void,
): Promise<void> {
  await withDb(databaseUrl, async (db) => {
    const { applied, error } = await migrateToLatest(db);
    if (error) {
      throw error;
    }
    say(
      applied.length === 0
        ? "schema is up to date"
        : `applied migrations: ${applied.join(", ")}`,
    );
  });
  if (options.seedDemo) {
    const { dataCreated } = await seedDemo(databaseUrl);
    say(
      `demo project demo-orders is ready${dataCreated ? " (demo data created)" : ""}`,
    );
  }
}

/** Resolves on the first SIGINT/SIGTERM/SIGHUP or when the foreground process is gone. */
function watchStopRequests(say: (line: string) => void): {
  requested: boolean;
  promise: Promise<void>;
} {
  const state = { requested: false, promise: Promise.resolve() };
  state.promise = new Promise<void>((resolve) => {
    const stop = (why: string) => {
      if (state.requested) {
        say(`${why} again: still stopping (apps get up to 45 s)`);
        return;
      }
      state.requested = true;
      say(`${why}: stopping`);
      resolve();
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGHUP", () => stop("SIGHUP"));
    process.stdin.on("end", () => stop("foreground process gone"));
    process.stdin.resume();
  });
  return state;
}

/**
 * With no API_TOKENS, a local token is made once and kept in `<data dir>/api-token` (mode 0600),
 * so writes work out of the box and the token never shows up in a log.
 */
async function localApiToken(dataDir: string): Promise<string> {
  const file = path.join(dataDir, "api-token");
  const existing = await readFile(file, "utf8").catch(() => "");
  if (existing.trim().length >= 16) {
    return existing.trim();
  }
  const token = randomBytes(24).toString("hex");
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return token;
}
