import net from "node:net";

import mysql from "mysql2/promise";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";

import { createSqlLoader, waitUntil } from "./sql-test-harness.js";
import {
  createSourceConnections,
  type SourceConnections,
} from "./source-connections.js";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

const PG_URL = inject("databaseUrl");
const MYSQL_URL = "mysql://root@127.0.0.1:3306/test";

async function pgAdmin<T>(query: string, values: unknown[]): Promise<T[]> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    return (await c.query(query, values)).rows as T[];
  } finally {
    await c.end();
  }
}

const pgBackendAlive = async (pid: number) =>
  (
    await pgAdmin<{ n: number }>(
      "select count(*)::int as n from pg_stat_activity where pid = $1",
      [pid],
    )
  )[0]?.n === 1;

/** A port on 127.0.0.1 that nothing listens on (bound once, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const pools: SourceConnections[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

async function pgLoader(options: { maxPerSource?: number; idleMs?: number }) {
  const connections = createSourceConnections(options);
  pools.push(connections);
  const loader = await createSqlLoader("postgres", PG_URL, {}, connections);
  afterAll(loader.cleanup);
  const pid = async (query = "select pg_backend_pid() as pid") => {
    const { result, rows } = await loader.load(query);
    expect(result).toMatchObject({ ok: true });
    return Number(rows?.[0]?.pid);
  };
  return { connections, pid, load: loader.load };
}

describe("pooled postgres source connections", () => {
  it("runs of one source reuse one connection, and leave it idle with no transaction open", async () => {
    const { pid } = await pgLoader({ idleMs: 60_000 });
    const first = await pid();
    expect(await pid()).toBe(first);
    const [session] = await pgAdmin<{
      state: string;
      application_name: string;
    }>("select state, application_name from pg_stat_activity where pid = $1", [
      first,
    ]);
    expect(session).toEqual({
      state: "idle",
      application_name: "vigil-datasource",
    });
  });

  it("holds at most maxPerSource connections to a source however many runs load at once", async () => {
    const { pid } = await pgLoader({ maxPerSource: 2, idleMs: 60_000 });
    const pids = await Promise.all(
      Array.from({ length: 6 }, () =>
        pid("select pg_backend_pid() as pid, pg_sleep(0.05)::text as slept"),
      ),
    );
    expect(new Set(pids).size).toBeLessThanOrEqual(2);
    expect(pids.every((p) => Number.isInteger(p) && p > 0)).toBe(true);
  });

  it("closes a connection that stayed unused for idleMs", async () => {
    const { pid } = await pgLoader({ idleMs: 200 });
    const used = await pid();
    expect(await pgBackendAlive(used)).toBe(true);
    await waitUntil(async () => !(await pgBackendAlive(used)));
  });

  it("a failed load closes its connection instead of handing it to the next run", async () => {
    const { pid, load } = await pgLoader({ idleMs: 60_000 });
    const before = await pid();
    const failed = await load(
      "select 1 / (pg_backend_pid() - pg_backend_pid())",
    );
    expect(failed.result).toMatchObject({ ok: false, code: "query" });
    const after = await pid();
    expect(after).not.toBe(before);
    await waitUntil(async () => !(await pgBackendAlive(before)));
  });

  it("a session advisory lock a query takes is released before the connection is reused", async () => {
    const { pid } = await pgLoader({ idleMs: 60_000 });
    const holder = await pid(
      "select pg_backend_pid() as pid, pg_advisory_lock(918273)::text as locked",
    );
    const locks = await pgAdmin<{ n: number }>(
      "select count(*)::int as n from pg_locks where locktype = 'advisory' and pid = $1",
      [holder],
    );
    expect(locks[0]?.n).toBe(0);
    expect(await pid()).toBe(holder);
  });

  it("a source that refuses connections fails alone, its credentials kept out of the message", async () => {
    const { connections, pid } = await pgLoader({ idleMs: 60_000 });
    const good = await pid();
    const dead = new URL(PG_URL);
    dead.port = String(await closedPort());
    dead.username = "vigil_reader";
    dead.password = "pool-secret-4f2a9c";
    const badLoader = await createSqlLoader(
      "postgres",
      dead.toString(),
      {},
      connections,
    );
    afterAll(badLoader.cleanup);
    const [bad, again] = await Promise.all([
      badLoader.load("select 1 as one"),
      pid(),
    ]);
    expect(bad.result).toMatchObject({ ok: false, code: "connect" });
    const message = bad.result.ok ? "" : bad.result.message;
    expect(message).not.toContain("pool-secret-4f2a9c");
    expect(again).toBe(good);
  });

  it("close() ends every pool's connections", async () => {
    const connections = createSourceConnections({ idleMs: 60_000 });
    const loader = await createSqlLoader("postgres", PG_URL, {}, connections);
    afterAll(loader.cleanup);
    const { rows } = await loader.load("select pg_backend_pid() as pid");
    const used = Number(rows?.[0]?.pid);
    expect(await pgBackendAlive(used)).toBe(true);
    await connections.close();
    await waitUntil(async () => !(await pgBackendAlive(used)));
  });
});

/** The machine's MariaDB is optional: its tests are skipped (and say so) when it is not there. */
async function probeMariaDb(): Promise<boolean> {
  try {
    const c = await mysql.createConnection({
      uri: MYSQL_URL,
      connectTimeout: 2000,
    });
    await c.end();
    return true;
  } catch {
    return false;
  }
}
const mariaDb = await probeMariaDb();
const mysqlTitle = (test: string) =>
  mariaDb
    ? test
    : `SKIPPED on this host (no MariaDB/MySQL at 127.0.0.1:3306): ${test}`;

async function mysqlAdmin<T>(query: string, values: unknown[]): Promise<T[]> {
  const c = await mysql.createConnection({ uri: MYSQL_URL });
  try {
    const [rows] = await c.query(query, values);
    return rows as T[];
  } finally {
    await c.end();
  }
}

const mysqlThreadAlive = async (id: number) =>
  Number(
    (
      await mysqlAdmin<{ n: number }>(
        "select count(*) as n from information_schema.processlist where id = ?",
        [id],
      )
    )[0]?.n,
  ) === 1;

describe("pooled mysql source connections", () => {
  it.skipIf(!mariaDb)(
    mysqlTitle(
      "runs reuse one connection, release named locks, and the pool closes once idle",
    ),
    async () => {
      const connections = createSourceConnections({ idleMs: 300 });
      pools.push(connections);
      const loader = await createSqlLoader("mysql", MYSQL_URL, {}, connections);
      afterAll(loader.cleanup);
      const id = async (query = "select connection_id() as id") => {
        const { result, rows } = await loader.load(query);
        expect(result).toMatchObject({ ok: true });
        return Number(rows?.[0]?.id);
      };
      const first = await id(
        "select connection_id() as id, get_lock('vigil_pool_test', 0) as locked",
      );
      expect(await id()).toBe(first);
      const [lock] = await mysqlAdmin<{ holder: number | null }>(
        "select is_used_lock('vigil_pool_test') as holder",
        [],
      );
      expect(lock?.holder).toBeNull();
      await waitUntil(async () => !(await mysqlThreadAlive(first)));
      // a new pool for the same source after the idle one was ended
      expect(await id()).not.toBe(first);
    },
  );
});
