/* eslint-disable @typescript-eslint/no-unsafe-member-access -- tests read response bodies (typed any) freely */
import { StatusResponseSchema } from "@vigil/contracts";
import { createDb, migrateToLatest, type DbHandle } from "@vigil/db";
import {
  startStreamingReplica,
  waitFor,
  type StreamingReplica,
} from "@vigil/db/testing";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { projectBody, startTestApi, type TestApi } from "./helpers.js";

/**
 * DATABASE_READ_URL against a real hot standby streaming from its own primary (both
 * started here, apart from the shared test server). Pausing the standby's replay is what
 * tells the two apart: what the API answers from then on shows which server it read.
 */
describe("reads from a streaming replica", () => {
  let replica: StreamingReplica;
  let primary: DbHandle;
  let read: DbHandle;
  /** Superuser on the standby (replay control), apart from the API's read pool. */
  let standbyAdmin: DbHandle["pool"];
  let standbyHandle: DbHandle;
  let api: TestApi;

  beforeAll(async () => {
    replica = await startStreamingReplica({ databases: ["vigil"] });
    primary = createDb({
      connectionString: replica.primaryUrl("vigil"),
      max: 4,
      applicationName: "vigil-test-primary",
    });
    const { error } = await migrateToLatest(primary.db);
    if (error) {
      throw error;
    }
    read = createDb({
      connectionString: replica.standbyUrl("vigil"),
      max: 4,
      applicationName: "vigil-api-read",
    });
    standbyHandle = createDb({
      connectionString: replica.standbyUrl("vigil"),
      max: 1,
      applicationName: "vigil-test-standby-admin",
    });
    standbyAdmin = standbyHandle.pool;
    api = await startTestApi(primary, {
      read: { db: read.db, pool: read.pool },
    });
  }, 120_000);

  afterAll(async () => {
    await api?.server.close({ graceMs: 1000 });
    await standbyHandle?.close();
    await read?.close();
    await primary?.close();
    await replica?.stop();
  });

  const replicated = (path: string) =>
    waitFor(async () => (await api.call("GET", path)).status === 200, {
      timeoutMs: 20_000,
      message: `${path} to be readable on the standby`,
    });

  test("GET routes read the standby, writes and their answers the primary, and /status shows the standby and its lag", async () => {
    expect(
      (await api.call("POST", "/projects", { body: projectBody("rr-one") }))
        .status,
    ).toBe(201);
    await replicated("/projects/rr-one");

    const recovery = await standbyAdmin.query<{ in_recovery: boolean }>(
      "select pg_is_in_recovery() as in_recovery",
    );
    expect(recovery.rows[0]?.in_recovery).toBe(true);
    const readers = await standbyAdmin.query<{ n: string }>(
      "select count(*) as n from pg_stat_activity where application_name = 'vigil-api-read'",
    );
    expect(Number(readers.rows[0]?.n)).toBeGreaterThan(0);

    await standbyAdmin.query("select pg_wal_replay_pause()");
    await waitFor(
      async () =>
        (
          await standbyAdmin.query<{ state: string }>(
            "select pg_get_wal_replay_pause_state() as state",
          )
        ).rows[0]?.state === "paused",
      { message: "the standby's replay to pause" },
    );

    const patched = await api.call("PATCH", "/projects/rr-one", {
      body: { name: "Renamed on the primary" },
    });
    expect(patched.status).toBe(200);
    // the answer of a write is read back from the primary, not the paused standby
    expect(patched.json.name).toBe("Renamed on the primary");
    const created = await api.call("POST", "/projects", {
      body: projectBody("rr-two"),
    });
    expect(created.status).toBe(201);
    expect(created.json.id).toBe("rr-two");

    // the standby has replayed neither write: a GET that saw either came from the primary
    expect((await api.call("GET", "/projects/rr-two")).status).toBe(404);
    expect((await api.call("GET", "/projects/rr-one")).json.name).toBe(
      "Project rr-one",
    );
    const listed = await api.call("GET", "/projects");
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.json)).not.toContain("rr-two");
    expect((await api.call("GET", "/ready")).status).toBe(200);

    const status = await waitFor(
      async () => {
        const res = await api.call("GET", "/status");
        const body = StatusResponseSchema.parse(res.json);
        const standby = body.database.replicas.find(
          (r) => r.name === replica.standbyName,
        );
        return (standby?.replay_lag_bytes ?? 0) > 0 ? body : undefined;
      },
      { message: "/status to show the paused standby behind the primary" },
    );
    const standby = status.database.replicas.find(
      (r) => r.name === replica.standbyName,
    );
    expect(standby?.state).toBe("streaming");
    expect(standby?.replay_lag_seconds).toBeGreaterThanOrEqual(0);
    expect(status.database.read_replica?.in_recovery).toBe(true);
    expect(status.database.read_replica?.pool.total).toBeGreaterThan(0);
    // the tables are the primary's (the API reads health there), with the new projects
    const projects = status.database.tables.find((t) => t.table === "projects");
    expect(projects?.total_bytes).toBeGreaterThan(0);

    await standbyAdmin.query("select pg_wal_replay_resume()");
    await replicated("/projects/rr-two");
    expect((await api.call("GET", "/projects/rr-one")).json.name).toBe(
      "Renamed on the primary",
    );
  }, 60_000);
});
