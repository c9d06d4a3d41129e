/* eslint-disable @typescript-eslint/no-unsafe-member-access -- tests read response bodies (typed any) freely */
import { gzipSync } from "node:zlib";

import { AuditListResponseSchema } from "@vigil/contracts";
import {
  enqueueOutboxEntry,
  verifyAuditChain,
  type AuditEventRow,
  type Db,
} from "@vigil/db";
import { insertDiscrepancy, insertProject } from "@vigil/db/testing";
import { describe, expect, onTestFinished } from "vitest";
import { z } from "zod";

import { sql } from "kysely";

import { isWriteRoute } from "../src/audit/run-route.js";
import { AppError } from "../src/http/app-error.js";
import { defineRoute } from "../src/index.js";
import { startTestExecutor } from "./executor-process.js";
import {
  apiTest as test,
  projectBody,
  startTestApi,
  type CallOptions,
  type TestApi,
} from "./helpers.js";

/** The actor of TOKEN, the first API_TOKENS entry. */
const ACTOR = /^(api-)?token-1$/;

interface Req {
  method: string;
  path: string;
  o?: CallOptions;
}

interface Case {
  /** `METHOD /express/path`, as in the route table. */
  route: string;
  /** Makes what the request needs; returns values the request and target use. */
  setup?: (api: TestApi, db: Db, n: number) => Promise<Record<string, string>>;
  request: (v: Record<string, string>) => Req;
  action: string;
  target: (v: Record<string, string>, json: any) => string;
  /** Whether before / after of the diff are the target's state (object) or null. */
  before: "object" | "null";
  after: "object" | "null";
  /** More about the row. */
  check?: (row: AuditEventRow, json: any) => void;
  /** The same route made to fail by its own checks: it must append nothing. */
  reject: (v: Record<string, string>) => Req & { status: number };
}

async function newProject(api: TestApi, n: number, prefix: string) {
  const id = `${prefix}-${n}`;
  const res = await api.call("POST", "/projects", { body: projectBody(id) });
  expect(res.status).toBe(201);
  return {
    id,
    scheduleId: String(res.json.schedules[0].id),
    ruleId: res.json.rules[0].rule_id as string,
  };
}

async function insertDeadReport(db: Db, projectId: string) {
  const id = (await db.transaction().execute((trx) =>
    enqueueOutboxEntry(trx, {
      projectId,
      executionId: null,
      kind: "report",
      idempotencyKey: `audit-test:${projectId}`,
      targetEnv: null,
      payload: { v: 1 },
      maxAttempts: 1,
    }),
  )) as number;
  await db
    .updateTable("report_outbox")
    .set({ status: "dead", dead_at: new Date(), attempts: 1 })
    .where("id", "=", id)
    .execute();
  return String(id);
}

const CASES: Case[] = [
  {
    route: "POST /projects",
    request: () => ({
      method: "POST",
      path: "/projects",
      o: { body: projectBody("audit-created") },
    }),
    action: "project.create",
    target: () => "project:audit-created",
    before: "null",
    after: "object",
    reject: () => ({
      method: "POST",
      path: "/projects",
      o: {
        body: projectBody("audit-created", {
          schedules: [{ cron_expression: "0 * * * *", timezone: "Mars/Base" }],
        }),
      },
      status: 422,
    }),
  },
  {
    route: "PUT /projects/:id",
    setup: (api, _db, n) => newProject(api, n, "audit-put"),
    request: (v) => ({
      method: "PUT",
      path: `/projects/${v.id}`,
      o: { body: projectBody(v.id!, { name: "Renamed" }) },
    }),
    action: "project.update",
    target: (v) => `project:${v.id}`,
    before: "object",
    after: "object",
    reject: (v) => ({
      method: "PUT",
      path: `/projects/${v.id}`,
      o: { body: projectBody("another-id") },
      status: 422,
    }),
  },
  {
    route: "PATCH /projects/:id",
    setup: (api, _db, n) => newProject(api, n, "audit-patch"),
    request: (v) => ({
      method: "PATCH",
      path: `/projects/${v.id}`,
      o: { body: { description: "changed" } },
    }),
    action: "project.update",
    target: (v) => `project:${v.id}`,
    before: "object",
    after: "object",
    reject: () => ({
      method: "PATCH",
      path: "/projects/no-such-project",
      o: { body: { description: "changed" } },
      status: 404,
    }),
  },
  {
    route: "DELETE /projects/:id",
    setup: (api, _db, n) => newProject(api, n, "audit-delete"),
    request: (v) => ({ method: "DELETE", path: `/projects/${v.id}` }),
    action: "project.delete",
    target: (v) => `project:${v.id}`,
    before: "object",
    after: "null",
    reject: () => ({
      method: "DELETE",
      path: "/projects/no-such-project",
      status: 404,
    }),
  },
  {
    route: "POST /projects/refresh",
    request: () => ({ method: "POST", path: "/projects/refresh" }),
    action: "projects.refresh",
    target: () => "projects",
    before: "null",
    after: "object",
    reject: () => ({
      method: "POST",
      path: "/projects/refresh",
      o: { token: "not-a-token-at-all-xxxx" },
      status: 401,
    }),
  },
  {
    route: "POST /projects/:id/trigger",
    setup: (api, _db, n) => newProject(api, n, "audit-trigger"),
    request: (v) => ({
      method: "POST",
      path: `/projects/${v.id}/trigger`,
      o: { body: {} },
    }),
    action: "trigger.create",
    target: (v) => `project:${v.id}`,
    before: "null",
    after: "object",
    reject: (v) => ({
      method: "POST",
      path: `/projects/${v.id}/trigger`,
      o: { body: { window_start: "yesterday" } },
      status: 422,
    }),
  },
  {
    route: "POST /projects/:id/backfill",
    setup: (api, _db, n) => newProject(api, n, "audit-backfill"),
    request: (v) => ({
      method: "POST",
      path: `/projects/${v.id}/backfill`,
      o: {
        body: {
          from: "2026-01-01T00:00:00Z",
          to: "2026-01-02T00:00:00Z",
          step: "PT6H",
        },
      },
    }),
    action: "backfill.create",
    target: (_v, json) => `backfill:${json.id}`,
    before: "null",
    after: "object",
    reject: (v) => ({
      method: "POST",
      path: `/projects/${v.id}/backfill`,
      o: {
        body: {
          from: "2026-01-01T00:00:00Z",
          to: "2026-01-02T00:00:00Z",
          step: "PT1S",
        },
      },
      status: 422,
    }),
  },
  {
    route: "POST /backfills/:id/cancel",
    setup: async (api, _db, n) => {
      const { id: project } = await newProject(api, n, "audit-cancel");
      const res = await api.call("POST", `/projects/${project}/backfill`, {
        body: {
          from: "2026-01-01T00:00:00Z",
          to: "2026-01-02T00:00:00Z",
          step: "PT6H",
        },
      });
      expect(res.status, res.text).toBe(201);
      return { id: String(res.json.id) };
    },
    request: (v) => ({ method: "POST", path: `/backfills/${v.id}/cancel` }),
    action: "backfill.cancel",
    target: (v) => `backfill:${v.id}`,
    before: "object",
    after: "object",
    reject: () => ({
      method: "POST",
      path: "/backfills/999999999/cancel",
      status: 404,
    }),
  },
  {
    route: "POST /executions/:id/replay",
    setup: async (api, db, n) => {
      const { id: project } = await newProject(api, n, "audit-replay");
      const execution = await db
        .insertInto("executions")
        .values({
          project_id: project,
          status: "success",
          scheduled_for: new Date(),
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await db
        .insertInto("execution_inputs")
        .values({
          execution_id: execution.id,
          project_id: project,
          window_start: new Date(Date.now() - 3_600_000),
          window_end: new Date(),
          row_count: 0,
          bytes: 20,
          raw_bytes: 0,
          rows_gz: gzipSync(""),
        })
        .execute();
      const bare = await db
        .insertInto("executions")
        .values({
          project_id: project,
          status: "success",
          scheduled_for: new Date(),
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      return { id: String(execution.id), bare: String(bare.id) };
    },
    request: (v) => ({ method: "POST", path: `/executions/${v.id}/replay` }),
    action: "execution.replay",
    target: (v) => `execution:${v.id}`,
    before: "null",
    after: "object",
    reject: (v) => ({
      method: "POST",
      path: `/executions/${v.bare}/replay`,
      status: 409,
    }),
  },
  {
    route: "POST /projects/:id/data",
    setup: (api, _db, n) => newProject(api, n, "audit-data"),
    request: (v) => ({
      method: "POST",
      path: `/projects/${v.id}/data`,
      o: { body: [{ id: 1, amount: 5 }] },
    }),
    action: "dataset.upload",
    target: (v) => `project:${v.id}`,
    before: "null",
    after: "object",
    reject: (v) => ({
      method: "POST",
      path: `/projects/${v.id}/data`,
      o: {
        raw: 'a,b\n"x"y,2\n',
        headers: { "content-type": "text/csv" },
      },
      status: 422,
    }),
  },
  {
    route: "DELETE /projects/:id/cleanup",
    setup: (api, _db, n) => newProject(api, n, "audit-cleanup"),
    request: (v) => ({ method: "DELETE", path: `/projects/${v.id}/cleanup` }),
    action: "cleanup.run",
    target: (v) => `project:${v.id}`,
    before: "null",
    after: "object",
    reject: () => ({
      method: "DELETE",
      path: "/projects/no-such-project/cleanup",
      status: 404,
    }),
  },
  {
    route: "POST /projects/:id/schedules",
    setup: (api, _db, n) => newProject(api, n, "audit-sched-add"),
    request: (v) => ({
      method: "POST",
      path: `/projects/${v.id}/schedules`,
      o: { body: { cron_expression: "*/5 * * * *", timezone: "UTC" } },
    }),
    action: "schedule.create",
    target: (_v, json) => `schedule:${json.id}`,
    before: "null",
    after: "object",
    reject: (v) => ({
      method: "POST",
      path: `/projects/${v.id}/schedules`,
      o: { body: { cron_expression: "*/5 * * * *", timezone: "Mars/Base" } },
      status: 422,
    }),
  },
  {
    route: "PATCH /projects/:id/schedules/:scheduleId",
    setup: (api, _db, n) => newProject(api, n, "audit-sched-patch"),
    request: (v) => ({
      method: "PATCH",
      path: `/projects/${v.id}/schedules/${v.scheduleId}`,
      o: { body: { is_active: false } },
    }),
    action: "schedule.update",
    target: (v) => `schedule:${v.scheduleId}`,
    before: "object",
    after: "object",
    reject: (v) => ({
      method: "PATCH",
      path: `/projects/${v.id}/schedules/${v.scheduleId}`,
      o: { body: { cron_expression: "61 * * * *" } },
      status: 422,
    }),
  },
  {
    route: "DELETE /projects/:id/schedules/:scheduleId",
    setup: (api, _db, n) => newProject(api, n, "audit-sched-del"),
    request: (v) => ({
      method: "DELETE",
      path: `/projects/${v.id}/schedules/${v.scheduleId}`,
    }),
    action: "schedule.delete",
    target: (v) => `schedule:${v.scheduleId}`,
    before: "object",
    after: "null",
    reject: (v) => ({
      method: "DELETE",
      path: `/projects/${v.id}/schedules/999999999`,
      status: 404,
    }),
  },
  {
    route: "POST /projects/:id/rules",
    setup: (api, _db, n) => newProject(api, n, "audit-rule-add"),
    request: (v) => ({
      method: "POST",
      path: `/projects/${v.id}/rules`,
      o: {
        body: {
          rule_id: "second",
          code: "export function detect() { return []; }",
        },
      },
    }),
    action: "rule.create",
    target: (v) => `rule:${v.id}/second`,
    before: "null",
    after: "object",
    reject: (v) => ({
      method: "POST",
      path: `/projects/${v.id}/rules`,
      o: { body: { rule_id: "broken", code: "export function detect( {" } },
      status: 422,
    }),
  },
  {
    route: "PATCH /projects/:id/rules/:ruleId",
    setup: (api, _db, n) => newProject(api, n, "audit-rule-patch"),
    request: (v) => ({
      method: "PATCH",
      path: `/projects/${v.id}/rules/${v.ruleId}`,
      o: { body: { is_active: false } },
    }),
    action: "rule.update",
    target: (v) => `rule:${v.id}/${v.ruleId}`,
    before: "object",
    after: "object",
    reject: (v) => ({
      method: "PATCH",
      path: `/projects/${v.id}/rules/no-such-rule`,
      o: { body: { is_active: false } },
      status: 404,
    }),
  },
  {
    route: "DELETE /projects/:id/rules/:ruleId",
    setup: (api, _db, n) => newProject(api, n, "audit-rule-del"),
    request: (v) => ({
      method: "DELETE",
      path: `/projects/${v.id}/rules/${v.ruleId}`,
    }),
    action: "rule.delete",
    target: (v) => `rule:${v.id}/${v.ruleId}`,
    before: "object",
    after: "null",
    reject: (v) => ({
      method: "DELETE",
      path: `/projects/${v.id}/rules/no-such-rule`,
      status: 404,
    }),
  },
  {
    route: "PATCH /projects/:id/discrepancies/:fingerprint",
    setup: async (_api, db, n) => {
      const project = await insertProject(db, { id: `audit-triage-${n}` });
      const d = await insertDiscrepancy(db, project.id);
      return { id: project.id, fingerprint: d.fingerprint };
    },
    request: (v) => ({
      method: "PATCH",
      path: `/projects/${v.id}/discrepancies/${v.fingerprint}`,
      o: { body: { status: "acknowledged", assignee: "ana" } },
    }),
    action: "discrepancy.triage",
    target: (v) => `discrepancy:${v.id}/${v.fingerprint}`,
    before: "object",
    after: "object",
    check: (row) => {
      expect(row.diff).toMatchObject({
        before: { status: "open", assignee: null },
        after: { status: "acknowledged", assignee: "ana" },
      });
    },
    reject: (v) => ({
      method: "PATCH",
      path: `/projects/${v.id}/discrepancies/${v.fingerprint}`,
      o: { body: { status: "open" } },
      status: 409,
    }),
  },
  {
    route: "PATCH /projects/:id/discrepancies",
    setup: async (_api, db, n) => {
      const project = await insertProject(db, { id: `audit-bulk-${n}` });
      const a = await insertDiscrepancy(db, project.id);
      const b = await insertDiscrepancy(db, project.id);
      return { id: project.id, a: a.fingerprint, b: b.fingerprint };
    },
    request: (v) => ({
      method: "PATCH",
      path: `/projects/${v.id}/discrepancies`,
      o: {
        body: {
          status: "resolved",
          reason: "fixed upstream",
          fingerprints: [v.a, v.b],
        },
      },
    }),
    action: "discrepancy.triage_bulk",
    target: (v) => `project:${v.id}`,
    before: "object",
    after: "object",
    reject: (v) => ({
      method: "PATCH",
      path: `/projects/${v.id}/discrepancies`,
      o: {
        body: {
          status: "resolved",
          reason: "fixed upstream",
          fingerprints: [v.a, "0".repeat(64)],
        },
      },
      status: 404,
    }),
  },
  {
    route: "POST /reports/:id/requeue",
    setup: async (_api, db, n) => {
      const project = await insertProject(db, { id: `audit-report-${n}` });
      return { id: await insertDeadReport(db, project.id) };
    },
    request: (v) => ({ method: "POST", path: `/reports/${v.id}/requeue` }),
    action: "reports.requeue",
    target: (v) => `report:${v.id}`,
    before: "object",
    after: "object",
    reject: () => ({
      method: "POST",
      path: "/reports/999999999/requeue",
      status: 404,
    }),
  },
  {
    route: "POST /tokens",
    request: () => ({
      method: "POST",
      path: "/tokens",
      o: { body: { name: "audit-ci", scopes: ["read"] } },
    }),
    action: "token.create",
    target: () => "token:audit-ci",
    before: "null",
    after: "object",
    check: (row, json) => {
      expect(typeof json.token).toBe("string");
      expect(JSON.stringify(row.diff)).not.toContain(json.token);
    },
    reject: () => ({
      method: "POST",
      path: "/tokens",
      o: { body: { name: "audit-bad", scopes: ["root"] } },
      status: 422,
    }),
  },
  {
    route: "DELETE /tokens/:name",
    setup: async (api) => {
      const res = await api.call("POST", "/tokens", {
        body: { name: "audit-revoked", scopes: ["read"] },
      });
      expect(res.status).toBe(201);
      return { name: "audit-revoked" };
    },
    request: (v) => ({ method: "DELETE", path: `/tokens/${v.name}` }),
    action: "token.revoke",
    target: (v) => `token:${v.name}`,
    before: "null",
    after: "object",
    reject: () => ({
      method: "DELETE",
      path: "/tokens/no-such-token",
      status: 404,
    }),
  },
];

/** Write routes that change nothing, and so append nothing. */
const UNAUDITED: Record<string, Req> = {
  // this server has no secrets: the answer says the receiver's URL is not available
  "POST /channels/test": {
    method: "POST",
    path: "/channels/test",
    o: {
      body: {
        channel: { name: "c", kind: "slack", url_env: "VIGIL_SECRET_NONE" },
      },
    },
  },
  "POST /cron/preview": {
    method: "POST",
    path: "/cron/preview",
    o: { body: { cron_expression: "0 * * * *", timezone: "UTC" } },
  },
  // the project is made by the test that sends these; the plan is rolled back
  "POST /projects/:id/dry-run": {
    method: "POST",
    path: "/projects/audit-dry-run/dry-run",
    o: { body: { rows: [{ id: 1, amount: -1 }] } },
  },
};

async function maxId(db: Db): Promise<number> {
  const row = await db
    .selectFrom("audit_events")
    .select((eb) => eb.fn.max("id").as("id"))
    .executeTakeFirstOrThrow();
  return Number(row.id ?? 0);
}

async function rowsAfter(db: Db, id: number): Promise<AuditEventRow[]> {
  return db
    .selectFrom("audit_events")
    .selectAll()
    .where("id", ">", id)
    .orderBy("id")
    .execute();
}

const call = (api: TestApi, r: Req) => api.call(r.method, r.path, r.o);

describe("audit trail of API writes", () => {
  test("every write route is in this table and declares how it is audited", ({
    api,
  }) => {
    const writes = api.server.routes.filter((r) => isWriteRoute(r));
    const covered = new Set([
      ...CASES.map((c) => c.route),
      ...Object.keys(UNAUDITED),
    ]);
    for (const r of writes) {
      const name = `${r.method.toUpperCase()} ${r.path}`;
      expect(covered.has(name), `${name} is not in the table`).toBe(true);
      expect(r.audit, `${name} has no audit spec`).toBeDefined();
      expect("none" in r.audit!, name).toBe(name in UNAUDITED);
    }
    expect(writes.length).toBeGreaterThanOrEqual(16);
  });

  CASES.forEach((c, n) => {
    test(`${c.route} appends one row with actor, action, target and diff; rejected, none`, async ({
      api,
      db,
    }) => {
      const exists = api.server.routes.some(
        (r) => `${r.method.toUpperCase()} ${r.path}` === c.route,
      );
      expect(exists, `${c.route} is not a route of this server`).toBe(true);
      const v = (await c.setup?.(api, db, n)) ?? {};
      const rejected = c.reject(v);
      const mark = await maxId(db);
      const bad = await call(api, rejected);
      expect(bad.status, bad.text).toBe(rejected.status);
      expect(await rowsAfter(db, mark)).toEqual([]);

      const res = await call(api, c.request(v));
      expect(res.status, res.text).toBeLessThan(300);
      const rows = await rowsAfter(db, mark);
      expect(rows).toHaveLength(1);
      const row = rows[0]!;
      expect(row.actor).toMatch(ACTOR);
      expect(row.action).toBe(c.action);
      expect(row.target).toBe(c.target(v, res.json));
      expect(row.request_id).toBe(res.headers.get("x-request-id"));
      c.check?.(row, res.json);
      const diff = row.diff as { before: unknown; after: unknown };
      expect(Object.keys(diff).sort()).toEqual(["after", "before"]);
      for (const side of ["before", "after"] as const) {
        if (c[side] === "null") {
          expect(diff[side], side).toBeNull();
        } else {
          expect(diff[side], side).toBeTypeOf("object");
          expect(diff[side], side).not.toBeNull();
        }
      }
    });
  });

  test("a write's diff holds the states it replaced, and changes nothing else", async ({
    api,
    db,
  }) => {
    const { id } = await newProject(api, 100, "audit-diff");
    const mark = await maxId(db);
    await api.call("PATCH", `/projects/${id}`, {
      body: { name: "After" },
    });
    const [row] = await rowsAfter(db, mark);
    const diff = row!.diff as {
      before: { project: { name: string; version: number } };
      after: { project: { name: string; version: number } };
    };
    expect(diff.before.project.name).toBe(`Project ${id}`);
    expect(diff.after.project.name).toBe("After");
    expect(diff.after.project.version).toBe(diff.before.project.version + 1);
  });

  test("write-access routes that change nothing append nothing", async ({
    api,
    db,
    testDatabase,
  }) => {
    await api.call("POST", "/projects", { body: projectBody("audit-dry-run") });
    // the dry run is an executor's to run
    const executor = await startTestExecutor(testDatabase.url);
    onTestFinished(() => executor.stop());
    for (const [route, req] of Object.entries(UNAUDITED)) {
      const mark = await maxId(db);
      const res = await call(api, req);
      expect(res.status, `${route}: ${res.text}`).toBe(200);
      expect(await rowsAfter(db, mark), route).toEqual([]);
    }
  });

  test("X-Request-Id is kept when plausible, made otherwise, echoed, and stored", async ({
    api,
    db,
  }) => {
    const { id } = await newProject(api, 101, "audit-reqid");
    let mark = await maxId(db);
    const given = await api.call("PATCH", `/projects/${id}`, {
      body: { description: "a" },
      headers: { "x-request-id": "trace-abc.123" },
    });
    expect(given.headers.get("x-request-id")).toBe("trace-abc.123");
    expect((await rowsAfter(db, mark))[0]!.request_id).toBe("trace-abc.123");

    mark = await maxId(db);
    const spoiled = await api.call("PATCH", `/projects/${id}`, {
      body: { description: "b" },
      headers: { "x-request-id": "has spaces and\ttabs" },
    });
    const made = spoiled.headers.get("x-request-id");
    expect(made).toMatch(/^[0-9a-f-]{36}$/);
    expect((await rowsAfter(db, mark))[0]!.request_id).toBe(made);
    const read = await api.call("GET", "/projects", { token: null });
    expect(read.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("GET /audit filters by target, actor and action and pages newest first", async ({
    api,
    db,
  }) => {
    const { id } = await newProject(api, 102, "audit-list");
    for (const d of ["1", "2", "3"]) {
      await api.call("PATCH", `/projects/${id}`, { body: { description: d } });
    }
    const byTarget = await api.call("GET", `/audit?target=project:${id}`);
    expect(byTarget.status).toBe(200);
    const page = AuditListResponseSchema.parse(byTarget.json);
    expect(page.items.map((e) => e.action)).toEqual([
      "project.update",
      "project.update",
      "project.update",
      "project.create",
    ]);
    expect(page.items.every((e) => e.target === `project:${id}`)).toBe(true);
    expect(page.next_cursor).toBeNull();

    const byAction = AuditListResponseSchema.parse(
      (
        await api.call(
          "GET",
          `/audit?target=project:${id}&action=project.create`,
        )
      ).json,
    );
    expect(byAction.items).toHaveLength(1);
    const actor = byAction.items[0]!.actor;
    expect(actor).toMatch(ACTOR);
    const byActor = AuditListResponseSchema.parse(
      (await api.call("GET", `/audit?actor=${actor}&limit=500`)).json,
    );
    expect(byActor.items.length).toBeGreaterThanOrEqual(4);
    expect(byActor.items.every((e) => e.actor === actor)).toBe(true);
    expect(
      (await api.call("GET", "/audit?actor=nobody-at-all")).json.items,
    ).toEqual([]);

    // two at a time through everything: the same rows, newest first, no repeats
    const all = (
      await db
        .selectFrom("audit_events")
        .select("id")
        .orderBy("id", "desc")
        .execute()
    ).map((r) => r.id);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const res = await api.call(
        "GET",
        `/audit?limit=2${cursor === null ? "" : `&cursor=${cursor}`}`,
      );
      expect(res.status).toBe(200);
      const p = AuditListResponseSchema.parse(res.json);
      expect(p.items.length).toBeLessThanOrEqual(2);
      seen.push(...p.items.map((e) => e.id));
      cursor = p.next_cursor;
    } while (cursor !== null);
    expect(seen).toEqual(all);
  });

  test("GET /audit refuses bad queries with 400 and anonymous callers with 401", async ({
    api,
  }) => {
    const projectCursor = Buffer.from("p:abc").toString("base64url");
    for (const q of [
      `cursor=${projectCursor}`,
      "limit=0",
      "limit=501",
      "colour=blue",
      "target=has%20space",
    ]) {
      const res = await api.call("GET", `/audit?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.json.error.code, q).toBe("invalid_query");
    }
    expect((await api.call("GET", "/audit", { token: null })).status).toBe(401);
  });

  test("20 parallel PUTs of one project keep one unbroken chain, each before the previous after", async ({
    api,
    db,
  }) => {
    const { id } = await newProject(api, 103, "audit-race");
    const mark = await maxId(db);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api.call("PUT", `/projects/${id}`, {
          body: projectBody(id, { name: `Name ${i}` }),
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const rows = await rowsAfter(db, mark);
    expect(rows).toHaveLength(20);
    for (let i = 1; i < rows.length; i++) {
      const prev = rows[i - 1]!.diff as { after: unknown };
      const cur = rows[i]!.diff as { before: unknown };
      expect(cur.before).toEqual(prev.after);
    }
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  test("a write and its audit row commit together: a failing append undoes the write, a failing handler the row", async ({
    api,
    db,
  }) => {
    const { id } = await newProject(api, 104, "audit-atomic");
    const mark = await maxId(db);
    // the append fails: the change it would record must not stay
    await sql`alter table audit_events add constraint audit_test_refuse check (false) not valid`.execute(
      db,
    );
    try {
      const res = await api.call("PATCH", `/projects/${id}`, {
        body: { description: "never stored" },
      });
      expect(res.status).toBe(500);
    } finally {
      await sql`alter table audit_events drop constraint audit_test_refuse`.execute(
        db,
      );
    }
    const row = await db
      .selectFrom("projects")
      .select("description")
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(row.description).toBe("");
    expect(await rowsAfter(db, mark)).toEqual([]);
  });

  test("a route without a spec is recorded by method and path; one that fails after writing keeps neither", async ({
    db,
    dbHandle,
  }) => {
    const extra = await startTestApi(dbHandle, {
      extraRoutes: [
        defineRoute({
          method: "post",
          path: "/extra/:name",
          tag: "test",
          access: "write",
          summary: "writes a project, then fails when asked to",
          params: z.object({ name: z.string() }).strict(),
          responses: { 200: { description: "ok" } },
          handler: async ({ db: trx, params: { name } }) => {
            await insertProject(trx, { id: name });
            if (name.startsWith("fail")) {
              throw new AppError("conflict", "failing after the write");
            }
            return { json: { name } };
          },
        }),
      ],
    });
    try {
      const mark = await maxId(db);
      expect((await extra.call("POST", "/extra/fail-x")).status).toBe(409);
      expect(
        await db
          .selectFrom("projects")
          .select("id")
          .where("id", "=", "fail-x")
          .execute(),
      ).toEqual([]);
      expect(await rowsAfter(db, mark)).toEqual([]);

      expect((await extra.call("POST", "/extra/kept-x")).status).toBe(200);
      const rows = await rowsAfter(db, mark);
      expect(rows.map((r) => [r.action, r.target, r.diff])).toEqual([
        [
          "post /extra/:name",
          "/extra/kept-x",
          { before: null, after: { name: "kept-x" } },
        ],
      ]);
    } finally {
      await extra.server.close({ graceMs: 1000 });
    }
  });
});
