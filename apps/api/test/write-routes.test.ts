/* eslint-disable @typescript-eslint/no-unsafe-member-access -- tests read response bodies (typed any) freely */
import {
  CreatedProjectResponseSchema,
  CronPreviewResponseSchema,
  RefreshResponseSchema,
} from "@vigil/contracts";
import type { Db } from "@vigil/db";
import { insertProject } from "@vigil/db/testing";
import { describe, expect } from "vitest";

import { apiTest as test, projectBody } from "./helpers.js";

const count = async (
  db: Db,
  table: "projects" | "schedules" | "rules" | "triggers" | "datasets",
) =>
  Number(
    (
      await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe("project writes", () => {
  test("POST /projects creates a project with its schedules and rules in one go", async ({
    api,
    db,
  }) => {
    const res = await api.call("POST", "/projects", {
      body: projectBody("whole"),
    });
    expect(res.status).toBe(201);
    const body = CreatedProjectResponseSchema.parse(res.json);
    expect(body.schedules).toHaveLength(1);
    expect(body.rules.map((r) => r.rule_id)).toEqual(["no-negative"]);
    expect(body.config).toMatchObject({
      data_source: { type: "manual" },
      lookback: "PT1H",
    });
    expect(
      await db
        .selectFrom("rules")
        .select("rule_id")
        .where("project_id", "=", "whole")
        .execute(),
    ).toHaveLength(1);
  });

  test("POST /projects of an existing id is a 409 and changes nothing", async ({
    api,
    db,
  }) => {
    await api.call("POST", "/projects", { body: projectBody("twice") });
    const before = await count(db, "schedules");
    const res = await api.call("POST", "/projects", {
      body: projectBody("twice", { name: "Other" }),
    });
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe("conflict");
    expect(await count(db, "schedules")).toBe(before);
  });

  test("a bad timezone in the third schedule rejects the whole project with its path and writes nothing", async ({
    api,
    db,
  }) => {
    const schedules = [
      { cron_expression: "0 * * * *" },
      { cron_expression: "*/5 * * * *" },
      { cron_expression: "0 2 * * *", timezone: "Europe/Berln" },
    ];
    const res = await api.call("POST", "/projects", {
      body: projectBody("bad-tz", { schedules }),
    });
    expect(res.status).toBe(422);
    expect(res.json.error.code).toBe("invalid_schedule");
    expect(res.json.error.details[0].path).toBe("schedules.2.timezone");
    expect(res.json.error.message).toContain("Europe/Berln");
    expect(
      await db
        .selectFrom("projects")
        .select("id")
        .where("id", "=", "bad-tz")
        .executeTakeFirst(),
    ).toBeUndefined();
  });

  test("rule code with a syntax error is refused with its line and column", async ({
    api,
  }) => {
    const rules = [
      {
        rule_id: "broken",
        code: "export function detect(rows) {\n  return rows.filter(r => r.x >);\n}",
      },
    ];
    const res = await api.call("POST", "/projects", {
      body: projectBody("bad-code", { rules }),
    });
    expect(res.status).toBe(422);
    expect(res.json.error.code).toBe("invalid_rule_code");
    expect(res.json.error.details[0]).toMatchObject({ path: "rules.0.code" });
    expect(res.json.error.details[0].message).toMatch(/line 2/);
  });

  test("an unknown config key is a 422 that names it", async ({ api }) => {
    const res = await api.call("POST", "/projects", {
      body: projectBody("unknown-key", {
        config: { data_source: { type: "manual" }, timeout: 5 },
      }),
    });
    expect(res.status).toBe(422);
    expect(res.json.error.code).toBe("validation_failed");
    expect(res.json.error.details).toContainEqual({
      path: "config",
      message: "unknown key: timeout",
    });
  });

  test("a *_env naming one of the executor's own settings is refused, naming the field and the rule", async ({
    api,
  }) => {
    for (const [config, path] of [
      [
        {
          data_source: {
            type: "sql",
            driver: "postgres",
            url_env: "DATABASE_URL",
            query: "select 1",
          },
        },
        "config.data_source.url_env",
      ],
      [
        {
          data_source: {
            type: "http",
            url: "https://api.example.com/rows",
            auth: { type: "bearer", token_env: "API_TOKENS" },
          },
        },
        "config.data_source.auth.token_env",
      ],
      [
        {
          data_source: { type: "manual" },
          report: { url_env: "REPORT_SIGNING_SECRET" },
        },
        "config.report.url_env",
      ],
    ] as const) {
      const res = await api.call("POST", "/projects", {
        body: projectBody("own-settings", { config }),
      });
      expect(res.status).toBe(422);
      expect(res.json.error.code).toBe("validation_failed");
      expect(res.json.error.details).toContainEqual({
        path,
        message: expect.stringContaining(
          "must name a secret made available to projects: VIGIL_SECRET_<NAME>",
        ) as unknown,
      });
    }
  });

  test("PATCH /projects/{id} changes settings and bumps the version; DELETE removes it", async ({
    api,
    db,
  }) => {
    const p = await insertProject(db);
    const res = await api.call("PATCH", `/projects/${p.id}`, {
      body: { name: "Renamed", is_active: false },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      name: "Renamed",
      is_active: false,
      version: 2,
    });
    expect(
      (await api.call("PATCH", `/projects/${p.id}`, { body: {} })).status,
    ).toBe(422);
    expect((await api.call("DELETE", `/projects/${p.id}`)).json).toEqual({
      deleted: true,
    });
    expect((await api.call("DELETE", `/projects/${p.id}`)).status).toBe(404);
    expect(
      (await api.call("PATCH", "/projects/gone", { body: { name: "x" } }))
        .status,
    ).toBe(404);
  });

  test("PUT /projects/{id} applies a whole project, creating then replacing it", async ({
    api,
  }) => {
    const first = await api.call("PUT", "/projects/applied", {
      body: projectBody("applied"),
    });
    expect(first.status).toBe(201);
    const second = await api.call("PUT", "/projects/applied", {
      body: projectBody("applied", { rules: [] }),
    });
    expect(second.status).toBe(200);
    expect(second.json).toMatchObject({
      created: false,
      rules: { upserted: 0, removed: 1 },
      schedules: { kept: 1 },
    });
    expect(
      (
        await api.call("PUT", "/projects/applied", {
          body: projectBody("other"),
        })
      ).status,
    ).toBe(422);
  });
});

describe("schedule and rule writes", () => {
  test("schedules are created, read with next runs, changed with a version bump and deleted", async ({
    api,
    db,
  }) => {
    const p = await insertProject(db);
    const created = await api.call("POST", `/projects/${p.id}/schedules`, {
      body: { cron_expression: "0 9 * * 1-5", timezone: "America/New_York" },
    });
    expect(created.status).toBe(201);
    expect(created.json.next_runs).toHaveLength(5);
    const id = created.json.id as number;
    const patched = await api.call(
      "PATCH",
      `/projects/${p.id}/schedules/${id}`,
      { body: { cron_expression: "0 10 * * 1-5" } },
    );
    expect(patched.json).toMatchObject({
      version: 2,
      cron_expression: "0 10 * * 1-5",
      timezone: "America/New_York",
    });
    const suspended = await api.call(
      "PATCH",
      `/projects/${p.id}/schedules/${id}`,
      { body: { is_active: false } },
    );
    expect(suspended.json).toMatchObject({
      version: 3,
      is_active: false,
      next_runs: [],
    });
    const bad = await api.call("PATCH", `/projects/${p.id}/schedules/${id}`, {
      body: { cron_expression: "61 * * * *" },
    });
    expect(bad.status).toBe(422);
    expect(bad.json.error.code).toBe("invalid_schedule");
    expect(
      (await api.call("GET", `/projects/${p.id}/schedules/${id}`)).json
        .cron_expression,
    ).toBe("0 10 * * 1-5");
    expect(
      (await api.call("GET", `/projects/${p.id}/schedules`)).json,
    ).toHaveLength(1);
    expect(
      (await api.call("DELETE", `/projects/${p.id}/schedules/${id}`)).status,
    ).toBe(200);
    expect(
      (await api.call("GET", `/projects/${p.id}/schedules/${id}`)).status,
    ).toBe(404);
    expect(
      (
        await api.call("POST", "/projects/missing/schedules", {
          body: { cron_expression: "0 * * * *" },
        })
      ).status,
    ).toBe(404);
  });

  test("rules are created, duplicated into a 409, changed with checked code and deleted", async ({
    api,
    db,
  }) => {
    const p = await insertProject(db);
    const rule = {
      rule_id: "r.one",
      code: "export const detect = () => [];",
      severity: "high",
    };
    expect(
      (await api.call("POST", `/projects/${p.id}/rules`, { body: rule }))
        .status,
    ).toBe(201);
    expect(
      (await api.call("POST", `/projects/${p.id}/rules`, { body: rule }))
        .status,
    ).toBe(409);
    const badImport = await api.call("PATCH", `/projects/${p.id}/rules/r.one`, {
      body: {
        code: "import fs from 'node:fs';\nexport const detect = () => [];",
      },
    });
    expect(badImport.status).toBe(422);
    expect(badImport.json.error.code).toBe("invalid_rule_code");
    const patched = await api.call("PATCH", `/projects/${p.id}/rules/r.one`, {
      body: { severity: "low", parameters: { max: 3 } },
    });
    expect(patched.json).toMatchObject({
      severity: "low",
      parameters: { max: 3 },
    });
    expect(
      (await api.call("GET", `/projects/${p.id}/rules/r.one`)).json.code,
    ).toBe(rule.code);
    expect(
      (await api.call("GET", `/projects/${p.id}/rules`)).json,
    ).toHaveLength(1);
    expect(
      (await api.call("DELETE", `/projects/${p.id}/rules/r.one`)).status,
    ).toBe(200);
    expect(
      (await api.call("GET", `/projects/${p.id}/rules/r.one`)).status,
    ).toBe(404);
  });
});

describe("operations", () => {
  test("POST /projects/{id}/trigger queues a manual run now, with an optional window", async ({
    api,
    db,
  }) => {
    const p = await insertProject(db);
    const res = await api.call("POST", `/projects/${p.id}/trigger`, {
      body: {
        window_start: "2026-01-01T00:00:00Z",
        window_end: "2026-01-02T00:00:00Z",
      },
    });
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({
      source: "manual",
      status: "pending",
      requested_by: "api:api-token-1",
      window_start: "2026-01-01T00:00:00.000Z",
    });
    const bare = await api.call("POST", `/projects/${p.id}/trigger`, {
      token: undefined,
    });
    expect(bare.status).toBe(202);
    const backwards = await api.call("POST", `/projects/${p.id}/trigger`, {
      body: {
        window_start: "2026-01-02T00:00:00Z",
        window_end: "2026-01-01T00:00:00Z",
      },
    });
    expect(backwards.status).toBe(422);
    expect((await api.call("POST", "/projects/missing/trigger")).status).toBe(
      404,
    );
    expect(
      await db
        .selectFrom("triggers")
        .select("id")
        .where("project_id", "=", p.id)
        .execute(),
    ).toHaveLength(2);
  });

  test("POST /projects/{id}/data stores JSON rows and CSV as the project's dataset", async ({
    api,
    db,
  }) => {
    const p = await insertProject(db);
    const json = await api.call(
      "POST",
      `/projects/${p.id}/data?filename=orders.json`,
      {
        body: [
          { id: 1, amount: -5 },
          { id: 2, amount: 3 },
        ],
      },
    );
    expect(json.status).toBe(201);
    expect(json.json).toMatchObject({
      format: "json",
      row_count: 2,
      filename: "orders.json",
      uploaded_by: "api:api-token-1",
    });
    const csv = await api.call("POST", `/projects/${p.id}/data`, {
      raw: 'id,note\r\n1,"a, ""quoted"" note"\r\n2,plain\r\n',
      headers: { "content-type": "text/csv" },
    });
    expect(csv.status).toBe(201);
    expect(csv.json).toMatchObject({ format: "csv", row_count: 2 });
    const stored = await db
      .selectFrom("datasets")
      .select("rows")
      .where("id", "=", csv.json.id)
      .executeTakeFirstOrThrow();
    expect(stored.rows).toEqual([
      { id: "1", note: 'a, "quoted" note' },
      { id: "2", note: "plain" },
    ]);
    const ragged = await api.call("POST", `/projects/${p.id}/data`, {
      raw: "a,b\n1\n",
      headers: { "content-type": "text/csv" },
    });
    expect(ragged.status).toBe(422);
    expect(ragged.json.error.code).toBe("invalid_dataset");
    const xml = await api.call("POST", `/projects/${p.id}/data`, {
      raw: "<rows/>",
      headers: { "content-type": "application/xml" },
    });
    expect(xml.status).toBe(415);
    const sql = await insertProject(db, {
      config: {
        data_source: {
          type: "sql",
          driver: "postgres",
          url_env: "VIGIL_SECRET_X_URL",
          query: "select 1",
        },
      },
    });
    expect(
      (await api.call("POST", `/projects/${sql.id}/data`, { body: [] })).status,
    ).toBe(409);
  });

  test("POST /projects/refresh re-validates everything and reports stored problems", async ({
    api,
    db,
  }) => {
    const p = await insertProject(db, { id: "stale" });
    await db
      .insertInto("schedules")
      .values({ project_id: p.id, cron_expression: "99 * * * *" })
      .execute();
    await db
      .insertInto("rules")
      .values({ project_id: p.id, rule_id: "old", code: "module.exports = 1" })
      .execute();
    const res = await api.call("POST", "/projects/refresh");
    expect(res.status).toBe(200);
    const body = RefreshResponseSchema.parse(res.json);
    expect(
      body.problems
        .filter((x) => x.project_id === "stale")
        .map((x) => x.kind)
        .sort(),
    ).toEqual(["rule", "schedule"]);
  });

  test("DELETE /projects/{id}/cleanup deletes finished history and keeps pending work", async ({
    api,
    db,
  }) => {
    const p = await insertProject(db);
    const t = await db
      .insertInto("triggers")
      .values([
        {
          project_id: p.id,
          fire_at: new Date(),
          available_at: new Date(),
          source: "manual",
          status: "succeeded",
        },
        {
          project_id: p.id,
          fire_at: new Date(),
          available_at: new Date(),
          source: "manual",
        },
      ])
      .returning("id")
      .execute();
    await db
      .insertInto("executions")
      .values({
        project_id: p.id,
        trigger_id: t[0]!.id,
        status: "success",
        scheduled_for: new Date(),
      })
      .execute();
    const res = await api.call("DELETE", `/projects/${p.id}/cleanup`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      project_id: p.id,
      deleted: { executions: 1, triggers: 1, reports: 0, discrepancies: 0 },
    });
    expect(
      await db
        .selectFrom("triggers")
        .select("status")
        .where("project_id", "=", p.id)
        .execute(),
    ).toEqual([{ status: "pending" }]);
    expect((await api.call("DELETE", "/projects/missing/cleanup")).status).toBe(
      404,
    );
  });

  test("POST /cron/preview shows 02:30 on Berlin's spring-forward day firing at 03:00 local", async ({
    api,
  }) => {
    const res = await api.call("POST", "/cron/preview", {
      body: {
        cron_expression: "30 2 * * *",
        timezone: "Europe/Berlin",
        after: "2026-03-28T12:00:00Z",
        count: 3,
      },
    });
    expect(res.status).toBe(200);
    const body = CronPreviewResponseSchema.parse(res.json);
    expect(body.fire_times.map((f) => f.local)).toEqual([
      "2026-03-29T03:00:00+02:00",
      "2026-03-30T02:30:00+02:00",
      "2026-03-31T02:30:00+02:00",
    ]);
    const bad = await api.call("POST", "/cron/preview", {
      body: { cron_expression: "* * *", timezone: "UTC" },
    });
    expect(bad.status).toBe(422);
    expect(bad.json.error.code).toBe("invalid_schedule");
  });
});
