/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call -- tests read response bodies (typed any) freely */
import {
  ExecutionDetailResponseSchema,
  ExecutionListResponseSchema,
  HealthResponseSchema,
  ProjectDetailResponseSchema,
  ProjectListResponseSchema,
  QueueResponseSchema,
  RunListResponseSchema,
  StatsResponseSchema,
  StatusResponseSchema,
} from "@vigil/contracts";
import {
  createWorkerPresence,
  finishMaintenanceRun,
  startMaintenanceRun,
  type Db,
} from "@vigil/db";
import {
  insertProject,
  insertSchedule,
  insertTriggers,
} from "@vigil/db/testing";
import { describe, expect } from "vitest";

import { apiTest as test } from "./helpers.js";

async function insertExecutions(
  db: Db,
  projectId: string,
  statuses: Array<"success" | "failed" | "timeout">,
) {
  return db
    .insertInto("executions")
    .values(
      statuses.map((status, i) => ({
        project_id: projectId,
        status,
        scheduled_for: new Date(Date.UTC(2026, 0, 1, i)),
        duration_ms: (i + 1) * 100,
        started_at: new Date(),
        finished_at: new Date(),
      })),
    )
    .returningAll()
    .execute();
}

describe("read routes", () => {
  test("GET /health answers without touching the database", async ({ api }) => {
    const res = await api.call("GET", "/health", { token: null });
    expect(res.status).toBe(200);
    expect(HealthResponseSchema.parse(res.json).status).toBe("healthy");
  });

  test("GET /ready reports the database reachable and no pending migrations", async ({
    api,
  }) => {
    const res = await api.call("GET", "/ready", { token: null });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      status: "ready",
      database: "ok",
      pending_migrations: [],
    });
  });

  test("GET /status lists live workers per app and the queue's depth and lag", async ({
    api,
    db,
  }) => {
    const presence = createWorkerPresence({
      db,
      app: "executor",
      version: "t",
      concurrency: 4,
      intervalMs: 60_000,
    });
    await presence.start();
    const p = await insertProject(db);
    await insertTriggers(db, p.id, 3, {
      fire_at: new Date(Date.now() - 120_000),
    });
    const res = await api.call("GET", "/status");
    await presence.stop();
    expect(res.status).toBe(200);
    const body = StatusResponseSchema.parse(res.json);
    expect(body.apps.executor).toEqual({
      workers: 1,
      concurrency: 4,
      running: 0,
    });
    expect(body.queue.due).toBeGreaterThanOrEqual(3);
    expect(body.queue.oldest_due_lag_seconds).toBeGreaterThanOrEqual(100);
    expect(body.status).toBe("degraded");
    const triggers = body.database.tables.find((t) => t.table === "triggers");
    expect(triggers?.total_bytes).toBeGreaterThan(triggers?.index_bytes ?? 0);
    expect(triggers?.live_tuples).toBeGreaterThanOrEqual(0);
    expect(body.database.frozen_xid_age).toBeGreaterThan(0);
    expect(body.database.replicas).toEqual([]);
    // without DATABASE_READ_URL every read is the primary's
    expect(body.database.read_replica).toBeNull();
  });

  test("GET /queue lists pending triggers soonest first with project name, cron and timezone", async ({
    api,
    db,
  }) => {
    const p = await insertProject(db, { name: "Queue Project" });
    const s = await insertSchedule(db, p.id, {
      cron: "*/5 * * * *",
      timezone: "Asia/Tokyo",
    });
    await db
      .insertInto("triggers")
      .values({
        project_id: p.id,
        schedule_id: s.id,
        fire_at: new Date(Date.now() - 3_600_000 * 24 * 365),
        available_at: new Date(Date.now() - 3_600_000 * 24 * 365),
        source: "schedule",
      })
      .execute();
    const res = await api.call("GET", "/queue?limit=1");
    expect(res.status).toBe(200);
    const [first] = QueueResponseSchema.parse(res.json);
    expect(first).toMatchObject({
      project_id: p.id,
      project_name: "Queue Project",
      cron_expression: "*/5 * * * *",
      timezone: "Asia/Tokyo",
      source: "schedule",
    });
  });

  test("GET /projects pages through projects with a cursor", async ({
    api,
    db,
  }) => {
    for (let i = 0; i < 5; i++) {
      await insertProject(db, { id: `page-${i}` });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await api.call(
        "GET",
        `/projects?limit=2${cursor === null ? "" : `&cursor=${cursor}`}`,
      );
      expect(res.status).toBe(200);
      const page = ProjectListResponseSchema.parse(res.json);
      seen.push(...page.items.map((p) => p.id));
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(seen.filter((id) => id.startsWith("page-"))).toEqual([
      "page-0",
      "page-1",
      "page-2",
      "page-3",
      "page-4",
    ]);
    expect(new Set(seen).size).toBe(seen.length);
  });

  test("GET /projects/{id} shows schedules with next runs, rules without code, last execution and success rate", async ({
    api,
  }) => {
    const created = await api.call("POST", "/projects", {
      body: {
        id: "detail",
        name: "Detail",
        config: { data_source: { type: "manual" } },
        schedules: [
          { cron_expression: "30 2 * * *", timezone: "Europe/Berlin" },
        ],
        rules: [
          { rule_id: "r1", code: "export function detect() { return []; }" },
        ],
      },
    });
    expect(created.status).toBe(201);
    const res = await api.call("GET", "/projects/detail");
    expect(res.status).toBe(200);
    const body = ProjectDetailResponseSchema.parse(res.json);
    expect(body.schedules[0]?.next_runs).toHaveLength(5);
    expect(body.rules[0]).not.toHaveProperty("code");
    expect(body.executions.success_rate).toBeNull();
    expect(body.last_execution).toBeNull();
  });

  test("GET /projects/{id}/executions pages newest first and stays stable while rows are inserted", async ({
    api,
    db,
  }) => {
    const p = await insertProject(db);
    const rows = await insertExecutions(db, p.id, [
      "success",
      "failed",
      "success",
      "timeout",
      "success",
      "success",
      "failed",
    ]);
    const first = ExecutionListResponseSchema.parse(
      (await api.call("GET", `/projects/${p.id}/executions?limit=3`)).json,
    );
    expect(first.items.map((e) => e.id)).toEqual(
      rows
        .slice(-3)
        .reverse()
        .map((r) => r.id),
    );
    await insertExecutions(db, p.id, ["success", "success"]);
    const second = ExecutionListResponseSchema.parse(
      (
        await api.call(
          "GET",
          `/projects/${p.id}/executions?limit=3&cursor=${first.next_cursor}`,
        )
      ).json,
    );
    expect(second.items.map((e) => e.id)).toEqual(
      rows
        .slice(1, 4)
        .reverse()
        .map((r) => r.id),
    );
    const failed = ExecutionListResponseSchema.parse(
      (
        await api.call(
          "GET",
          `/projects/${p.id}/executions?status=failed,timeout`,
        )
      ).json,
    );
    expect(failed.items.map((e) => e.status).sort()).toEqual([
      "failed",
      "failed",
      "timeout",
    ]);
    const ranged = ExecutionListResponseSchema.parse(
      (
        await api.call(
          "GET",
          `/projects/${p.id}/executions?from=2026-01-01T02:00:00Z&to=2026-01-01T04:00:00Z`,
        )
      ).json,
    );
    expect(ranged.items).toHaveLength(2);
  });

  test("GET /executions/{id} returns output tails and findings", async ({
    api,
    db,
  }) => {
    const p = await insertProject(db);
    const [e] = await insertExecutions(db, p.id, ["failed"]);
    await db
      .updateTable("executions")
      .set({ stdout_tail: "out", stderr_tail: "boom", exit_code: 1 })
      .where("id", "=", e!.id)
      .execute();
    await db
      .insertInto("findings")
      .values({
        execution_id: e!.id,
        project_id: p.id,
        rule_id: "r",
        severity: "high",
        fingerprint: "f1",
        finding_key: "k",
        message: "bad row",
      })
      .execute();
    const res = await api.call("GET", `/executions/${e!.id}`);
    expect(res.status).toBe(200);
    const body = ExecutionDetailResponseSchema.parse(res.json);
    expect(body).toMatchObject({
      stderr_tail: "boom",
      exit_code: 1,
      findings_truncated: 0,
      findings_has_more: false,
    });
    expect(body.findings.map((f) => f.message)).toEqual(["bad row"]);
    expect((await api.call("GET", "/executions/999999999")).status).toBe(404);
  });

  test("GET /projects/{id}/discrepancies lists open and recently resolved ones", async ({
    api,
    db,
  }) => {
    const p = await insertProject(db);
    const base = {
      project_id: p.id,
      rule_id: "r",
      finding_key: "k",
      severity: "low" as const,
      message: "m",
      first_execution_id: 1,
      last_execution_id: 1,
    };
    const now = new Date();
    const old = new Date(Date.now() - 30 * 24 * 3600 * 1000);
    await db
      .insertInto("discrepancies")
      .values([
        { ...base, fingerprint: "open", first_seen_at: now, last_seen_at: now },
        {
          ...base,
          fingerprint: "recent",
          status: "resolved",
          resolved_at: now,
          first_seen_at: now,
          last_seen_at: now,
        },
        {
          ...base,
          fingerprint: "old",
          status: "resolved",
          resolved_at: old,
          first_seen_at: old,
          last_seen_at: old,
        },
      ])
      .execute();
    const res = await api.call("GET", `/projects/${p.id}/discrepancies`);
    expect(res.status).toBe(200);
    expect(
      res.json.items.map((d: { fingerprint: string }) => d.fingerprint),
    ).toEqual(["open", "recent"]);
    const open = await api.call(
      "GET",
      `/projects/${p.id}/discrepancies?status=open`,
    );
    expect(open.json.items).toHaveLength(1);
  });

  test("GET /stats counts by status with success rate and duration percentiles, per project", async ({
    api,
    db,
  }) => {
    const p = await insertProject(db);
    await insertExecutions(db, p.id, [
      "success",
      "success",
      "success",
      "failed",
    ]);
    const res = await api.call("GET", `/stats?project_id=${p.id}`);
    expect(res.status).toBe(200);
    const body = StatsResponseSchema.parse(res.json);
    expect(body).toMatchObject({
      total: 4,
      success: 3,
      failed: 1,
      success_rate: 75,
      project_id: p.id,
    });
    expect(body.duration_ms.p50).toBe(200);
    expect(
      (
        await api.call(
          "GET",
          "/stats?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z",
        )
      ).status,
    ).toBe(400);
  });

  test("GET /stats counts skipped runs by reason in the window, per project", async ({
    api,
    db,
  }) => {
    const p = await insertProject(db);
    const other = await insertProject(db);
    const skip = (projectId: string, lastError: string, finishedAt: Date) =>
      insertTriggers(db, projectId, 1, {
        status: "skipped",
        last_error: lastError,
        finished_at: finishedAt,
      });
    const now = new Date();
    await skip(
      p.id,
      "missed: a later fire time of its schedule came before it started; misfire policy skip",
      now,
    );
    await skip(
      p.id,
      "missed: a later fire time of its schedule came before it started; misfire policy run_once",
      now,
    );
    await skip(p.id, "missed its starting deadline (60 s after fire_at)", now);
    await skip(
      p.id,
      "concurrency policy forbid: trigger 7 of this schedule is running",
      now,
    );
    // outside the default 24 hours, and another project
    await skip(
      p.id,
      "missed its starting deadline (60 s after fire_at)",
      new Date(Date.now() - 2 * 86_400_000),
    );
    await skip(
      other.id,
      "missed its starting deadline (60 s after fire_at)",
      now,
    );
    const res = await api.call("GET", `/stats?project_id=${p.id}`);
    expect(res.status, res.text).toBe(200);
    expect(StatsResponseSchema.parse(res.json).skipped_runs).toEqual({
      total: 4,
      misfire: 2,
      missed_deadline: 1,
      concurrency_forbid: 1,
      project_inactive: 0,
      other: 0,
    });
  });

  test("GET /metrics counts this process's requests by route pattern and recounts nothing from the database", async ({
    api,
    db,
  }) => {
    const p = await insertProject(db);
    await insertExecutions(db, p.id, ["success"]);
    await api.call("GET", `/projects/${p.id}`);
    const res = await api.call("GET", "/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/plain/);
    expect(res.text).toMatch(
      /vigil_http_requests_total\{method="GET",route="\/projects\/:id",status="200"\} [1-9]/,
    );
    expect(res.text).toContain("vigil_http_request_duration_seconds_bucket");
    expect(res.text).toContain("vigil_api_process_cpu");
    // the project id is a label value nowhere: routes are patterns
    expect(res.text).not.toContain(p.id);
    // database-wide figures are the leading trigger-creator's, counts of work the executors'
    for (const name of [
      "vigil_executions",
      "vigil_execution_duration_seconds",
      "vigil_queue_depth",
      "vigil_live_workers",
    ]) {
      expect(res.text).not.toContain(name);
    }
  });

  test("an unknown route answers a JSON 404", async ({ api }) => {
    const res = await api.call("GET", "/nope/nothing");
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe("route_not_found");
    expect(
      (await api.call("GET", "/projects/no-such-project")).json.error.code,
    ).toBe("not_found");
  });

  test("GET /docs serves Swagger UI whose init script loads /openapi.json", async ({
    api,
  }) => {
    const page = await api.call("GET", "/docs", { token: null });
    expect(page.status).toBe(200);
    expect(page.text).toContain("/docs/swagger-ui-bundle.js");
    const init = await api.call("GET", "/docs/swagger-ui-init.js", {
      token: null,
    });
    expect(init.text).toContain("/openapi.json");
    expect(
      (await api.call("GET", "/docs/swagger-ui-bundle.js", { token: null }))
        .status,
    ).toBe(200);
  });

  test("GET /status shows the cleaner's last finished pass", async ({
    api,
    db,
  }) => {
    const id = await startMaintenanceRun(db, { workerId: "cleaner-test" });
    const pruned = {
      executions: 7,
      findings: 21,
      triggers: 3,
      reports_delivered: 0,
      reports_dead: 0,
      workers_marked_dead: 1,
      workers: 0,
      maintenance_runs: 0,
      audit_events: 0,
      watchdog_episodes: 0,
      execution_inputs: 0,
    };
    await finishMaintenanceRun(db, { id, pruned, durationMs: 42 });
    const body = StatusResponseSchema.parse(
      (await api.call("GET", "/status")).json,
    );
    expect(body.last_cleanup).toMatchObject({
      worker_id: "cleaner-test",
      duration_ms: 42,
      pruned: { executions: 7, findings: 21 },
      error: null,
    });
  });

  test("GET /projects/{id}/runs shows every run with its final state and reason, skipped and never-started ones included, newest first, paged and filtered by status", async ({
    api,
    db,
  }) => {
    const p = await insertProject(db);
    const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));
    const [succeeded] = await insertTriggers(db, p.id, 1, {
      fire_at: at(1),
      status: "succeeded",
      attempt: 1,
      finished_at: at(2),
    });
    const [execution] = await db
      .insertInto("executions")
      .values({
        project_id: p.id,
        trigger_id: succeeded!.id,
        status: "success",
        scheduled_for: at(1),
      })
      .returning("id")
      .execute();
    const [skipped] = await insertTriggers(db, p.id, 1, {
      fire_at: at(2),
      status: "skipped",
      last_error: `concurrency policy forbid: another run of project ${p.id} is running`,
      skipped_for_trigger_id: succeeded!.id,
      finished_at: at(2),
    });
    const [pending] = await insertTriggers(db, p.id, 1, { fire_at: at(3) });
    const first = RunListResponseSchema.parse(
      (await api.call("GET", `/projects/${p.id}/runs?limit=2`)).json,
    );
    expect(first.items.map((r) => [r.id, r.status])).toEqual([
      [pending!.id, "pending"],
      [skipped!.id, "skipped"],
    ]);
    expect(first.items[1]).toMatchObject({
      reason: `concurrency policy forbid: another run of project ${p.id} is running`,
      skipped_for_trigger_id: succeeded!.id,
      execution_id: null,
      execution_status: null,
    });
    const second = RunListResponseSchema.parse(
      (
        await api.call(
          "GET",
          `/projects/${p.id}/runs?limit=2&cursor=${first.next_cursor}`,
        )
      ).json,
    );
    expect(second).toEqual({
      items: [
        expect.objectContaining({
          id: succeeded!.id,
          status: "succeeded",
          execution_id: execution!.id,
          execution_status: "success",
        }),
      ],
      next_cursor: null,
    });
    const skips = RunListResponseSchema.parse(
      (await api.call("GET", `/projects/${p.id}/runs?status=skipped,cancelled`))
        .json,
    );
    expect(skips.items.map((r) => r.id)).toEqual([skipped!.id]);
    const bad = await api.call("GET", `/projects/${p.id}/runs?status=lost`);
    expect(bad.status).toBe(400);
    expect((await api.call("GET", "/projects/nope/runs")).status).toBe(404);
  });
});
