/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument -- tests read response bodies (typed any) freely */
import { createHash } from "node:crypto";

import {
  DiscrepancyDetailResponseSchema,
  ExecutionChangesResponseSchema,
  DiscrepancyListResponseSchema,
  DiscrepancySchema,
} from "@vigil/contracts";
import {
  insertFindings,
  updateDiscrepancies,
  type Db,
  type SeenFinding,
} from "@vigil/db";
import { insertDiscrepancy, insertProject } from "@vigil/db/testing";
import { describe, expect } from "vitest";

import { apiTest as test } from "./helpers.js";

const fingerprintOf = (ruleId: string, key: string) =>
  createHash("sha256").update(`${ruleId}\0${key}`).digest("hex");

const finding = (key: string, severity: SeenFinding["severity"] = "high") => ({
  fingerprint: fingerprintOf("r1", key),
  ruleId: "r1",
  findingKey: key,
  rowKey: key,
  severity,
  message: `order ${key} has no payment`,
});

/** What a run records: an execution, its findings, and the discrepancy transitions. */
async function recordRun(db: Db, projectId: string, keys: string[]) {
  return db.transaction().execute(async (trx) => {
    const execution = await trx
      .insertInto("executions")
      .values({
        project_id: projectId,
        status: "success",
        scheduled_for: new Date(),
        started_at: new Date(),
        finished_at: new Date(),
        duration_ms: 5,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const seen = keys.map((k) => finding(k));
    await insertFindings(
      trx,
      seen.map((f) => ({
        execution_id: execution.id,
        project_id: projectId,
        rule_id: f.ruleId,
        severity: f.severity,
        fingerprint: f.fingerprint,
        finding_key: f.findingKey,
        message: f.message,
        data: null,
      })),
    );
    const transitions = await updateDiscrepancies(trx, {
      projectId,
      executionId: execution.id,
      seen,
      evaluatedRuleIds: ["r1"],
      rowKeys: keys,
      expireAfter: null,
    });
    return { executionId: execution.id, transitions };
  });
}

const fingerprints = (json: any) =>
  json.items.map((d: { fingerprint: string }) => d.fingerprint);

const HOUR = 3600_000;

describe("discrepancies: the list, one with its history, triage", () => {
  test("GET /executions/{id}/changes: what each run did, a page at a time; a finding without a change was seen again", async ({
    api,
    db,
  }) => {
    const p = await insertProject(db);
    const all = ["A", "B", "C"];
    const run = (seen: string[]) =>
      db.transaction().execute(async (trx) => {
        const e = await trx
          .insertInto("executions")
          .values({
            project_id: p.id,
            status: "success",
            scheduled_for: new Date(),
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        await updateDiscrepancies(trx, {
          projectId: p.id,
          executionId: e.id,
          seen: seen.map((k) => finding(k)),
          evaluatedRuleIds: ["r1"],
          rowKeys: all,
          expireAfter: null,
        });
        return e.id;
      });
    const changes = async (id: number, q = "") => {
      const res = await api.call("GET", `/executions/${id}/changes${q}`);
      expect(res.status, res.text).toBe(200);
      return ExecutionChangesResponseSchema.parse(res.json);
    };
    const summary = (page: {
      items: { finding_key: string; change: string }[];
    }) => page.items.map((c) => `${c.finding_key} ${c.change}`).sort();

    const first = await run(["A", "B"]);
    const second = await run(["A", "C"]);
    const third = await run(["B"]);
    expect(summary(await changes(first))).toEqual(["A new", "B new"]);
    // A seen again: no change of its own
    expect(summary(await changes(second))).toEqual(["B resolved", "C new"]);
    const reopened = await changes(third);
    expect(summary(reopened)).toEqual([
      "A resolved",
      "B reopened",
      "C resolved",
    ]);
    expect(reopened.items.find((c) => c.finding_key === "B")).toMatchObject({
      rule_id: "r1",
      from_status: "resolved",
      to_status: "open",
      message: "order B has no payment",
    });

    // pages of one, oldest first, and the cursor of another list is refused
    const one = await changes(third, "?limit=1");
    expect(one.items).toHaveLength(1);
    const rest = await changes(
      third,
      `?limit=5&cursor=${encodeURIComponent(one.next_cursor!)}`,
    );
    expect(rest.next_cursor).toBeNull();
    expect(summary({ items: [...one.items, ...rest.items] })).toEqual(
      summary(reopened),
    );
    const list = await api.call("GET", `/projects/${p.id}/executions?limit=1`);
    const foreign = await api.call(
      "GET",
      `/executions/${third}/changes?cursor=${encodeURIComponent(list.json.next_cursor)}`,
    );
    expect(foreign.status, foreign.text).toBe(400);
    expect(foreign.json.error.message).toMatch(/cursor/);
    const missing = await api.call("GET", "/executions/987654321/changes");
    expect(missing.status).toBe(404);
  });

  test("the default list puts what needs attention first: regressions, open by severity, acknowledged, muted, then recently resolved and expired", async ({
    api,
    db,
  }) => {
    const p = await insertProject(db);
    const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * HOUR);
    const add = (o: Parameters<typeof insertDiscrepancy>[2]) =>
      insertDiscrepancy(db, p.id, o).then((d) => d.fingerprint);
    const oldResolved = await add({
      status: "resolved",
      resolved_at: at(24 * 30),
      last_seen_at: at(24 * 30),
    });
    const resolved = await add({ status: "resolved", resolved_at: at(1) });
    const expired = await add({ status: "expired", expired_at: at(1) });
    const muted = await add({
      status: "muted",
      muted_until: at(-24),
      severity: "critical",
    });
    const acked = await add({ status: "acknowledged", severity: "critical" });
    const openLow = await add({ severity: "low", last_seen_at: at(0) });
    const openHighOld = await add({ severity: "high", last_seen_at: at(2) });
    const openHighNew = await add({ severity: "high", last_seen_at: at(1) });
    const regression = await add({
      severity: "info",
      reopened_at: at(1),
      regressions: 1,
    });

    const res = await api.call("GET", `/projects/${p.id}/discrepancies`);
    expect(res.status, res.text).toBe(200);
    DiscrepancyListResponseSchema.parse(res.json);
    expect(fingerprints(res.json)).toEqual([
      regression,
      openHighNew,
      openHighOld,
      openLow,
      acked,
      muted,
      resolved,
      expired,
    ]);
    expect(res.json.next_cursor).toBeNull();

    const within = await api.call(
      "GET",
      `/projects/${p.id}/discrepancies?status=resolved&resolved_within_hours=${24 * 31}`,
    );
    expect(fingerprints(within.json)).toEqual([resolved, oldResolved]);
    const high = await api.call(
      "GET",
      `/projects/${p.id}/discrepancies?status=open,acknowledged&severity=high,critical`,
    );
    expect(fingerprints(high.json)).toEqual([openHighNew, openHighOld, acked]);
  });

  test("filters by rule and assignee, and pages by cursor without repeating or skipping a row", async ({
    api,
    db,
  }) => {
    const p = await insertProject(db);
    const all: string[] = [];
    for (let i = 0; i < 23; i += 1) {
      const d = await insertDiscrepancy(db, p.id, {
        // equal last_seen_at for some, so the fingerprint breaks ties
        last_seen_at: new Date(Date.UTC(2026, 10, 1, 0, Math.floor(i / 3))),
        rule_id: i % 2 === 0 ? "r1" : "r2",
        ...(i % 5 === 0 && { status: "acknowledged", assignee: "ana" }),
      });
      all.push(d.fingerprint);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await api.call(
        "GET",
        `/projects/${p.id}/discrepancies?limit=5${cursor === null ? "" : `&cursor=${cursor}`}`,
      );
      expect(res.status, res.text).toBe(200);
      seen.push(...fingerprints(res.json));
      cursor = res.json.next_cursor;
      expect(res.json.truncated).toBe(cursor !== null);
      pages += 1;
      // a row added between pages does not disturb the rows after the cursor
      if (pages === 2) {
        await insertDiscrepancy(db, p.id, {
          last_seen_at: new Date(Date.UTC(2026, 9, 1)),
          status: "muted",
          muted_until: new Date(Date.now() + HOUR),
        }).then((d) => all.push(d.fingerprint));
      }
    } while (cursor !== null);
    expect(pages).toBe(5);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([...all].sort());

    const r2 = await api.call(
      "GET",
      `/projects/${p.id}/discrepancies?rule_id=r2&limit=1000`,
    );
    expect(r2.json.items).toHaveLength(11);
    expect(r2.json.items.every((d: any) => d.rule_id === "r2")).toBe(true);
    const ana = await api.call(
      "GET",
      `/projects/${p.id}/discrepancies?assignee=ana`,
    );
    expect(ana.json.items).toHaveLength(5);
  });

  test("bad queries are a 400 naming the parameter; an unknown project or discrepancy is a 404", async ({
    api,
    db,
  }) => {
    const p = await insertProject(db);
    for (const [query, path] of [
      ["status=closed", "status"],
      ["severity=urgent", "severity"],
      ["cursor=ZTox", "cursor"],
      [`cursor=${Buffer.from("d:1.2.x").toString("base64url")}`, "cursor"],
      ["limit=0", "limit"],
    ] as const) {
      const res = await api.call(
        "GET",
        `/projects/${p.id}/discrepancies?${query}`,
      );
      expect(res.status, `${query}: ${res.text}`).toBe(400);
      expect(res.json.error.details[0].path, query).toBe(path);
    }
    const bad = await api.call(
      "GET",
      `/projects/${p.id}/discrepancies/not-a-fingerprint`,
    );
    expect(bad.status).toBe(400);
    expect(bad.json.error.details[0].path).toBe("fingerprint");
    const absent = await api.call(
      "GET",
      `/projects/${p.id}/discrepancies/${"0".repeat(64)}`,
    );
    expect(absent.status).toBe(404);
    expect(absent.json.error.message).toBe(
      `discrepancy ${"0".repeat(64)} of project "${p.id}" does not exist`,
    );
    const noProject = await api.call(
      "GET",
      `/projects/no-such-project/discrepancies/${"0".repeat(64)}`,
    );
    expect(noProject.json.error.message).toBe(
      'project "no-such-project" does not exist',
    );
    expect(
      (await api.call("GET", "/projects/no-such-project/discrepancies")).status,
    ).toBe(404);
  });

  test("every transition by hand is an event naming the token; a hand-resolved one found again is a regression; the detail shows events and the executions that found it", async ({
    api,
    db,
  }) => {
    const p = await insertProject(db);
    const first = await recordRun(db, p.id, ["o-1"]);
    const fp = fingerprintOf("r1", "o-1");
    const path = `/projects/${p.id}/discrepancies/${fp}`;
    const patch = (body: unknown) => api.call("PATCH", path, { body });

    const acked = await patch({
      status: "acknowledged",
      assignee: "ana",
      note: "asked finance",
    });
    expect(acked.status, acked.text).toBe(200);
    expect(DiscrepancySchema.parse(acked.json)).toMatchObject({
      status: "acknowledged",
      assignee: "ana",
      note: "asked finance",
      status_changed_by: "api-token-1",
    });
    expect(
      (await patch({ status: "acknowledged", assignee: "ben" })).json.assignee,
    ).toBe("ben");
    const until = new Date(Date.now() + 24 * HOUR).toISOString();
    const muted = await patch({
      status: "muted",
      muted_until: until,
      reason: "known until the migration on Friday",
    });
    expect(muted.json).toMatchObject({
      status: "muted",
      status_reason: "known until the migration on Friday",
    });
    expect(Date.parse(muted.json.muted_until)).toBe(Date.parse(until));
    // a muted discrepancy is still evaluated: the run confirms it and it stays muted
    const second = await recordRun(db, p.id, ["o-1"]);
    expect(second.transitions.map((t) => t.change)).toEqual(["still_open"]);
    const resolved = await patch({
      status: "resolved",
      reason: "fixed upstream",
    });
    expect(resolved.json).toMatchObject({
      status: "resolved",
      muted_until: null,
      resolved_execution_id: null,
      status_reason: "fixed upstream",
    });
    const again = await patch({ status: "resolved", reason: "twice" });
    expect(again.status).toBe(409);
    expect(again.json.error.message).toBe(
      `discrepancy ${fp} is resolved: it cannot be set to resolved`,
    );

    const third = await recordRun(db, p.id, ["o-1"]);
    expect(third.transitions.map((t) => t.change)).toEqual(["reopened"]);

    const detail = await api.call("GET", path);
    expect(detail.status, detail.text).toBe(200);
    const body = DiscrepancyDetailResponseSchema.parse(detail.json);
    expect(body.discrepancy).toMatchObject({
      status: "open",
      regressions: 1,
      assignee: "ben",
      occurrences: 3,
    });
    expect(body.discrepancy.reopened_at).not.toBeNull();
    expect(
      body.events.map(
        (e) =>
          `${e.change}:${e.from_status ?? "-"}->${e.to_status} by ${e.actor}`,
      ),
    ).toEqual([
      "new:-->open by system",
      "acknowledged:open->acknowledged by api-token-1",
      "assigned:acknowledged->acknowledged by api-token-1",
      "muted:acknowledged->muted by api-token-1",
      "resolved:muted->resolved by api-token-1",
      "reopened:resolved->open by system",
    ]);
    expect(body.events[2]!.details).toEqual({
      assignee: { from: "ana", to: "ben" },
    });
    expect(body.events[4]!.reason).toBe("fixed upstream");
    expect(body.events[5]!.execution_id).toBe(third.executionId);
    expect(body.seen_in.map((s) => s.execution_id)).toEqual([
      third.executionId,
      second.executionId,
      first.executionId,
    ]);

    const reopenedByHand = await patch({ status: "acknowledged" });
    expect(reopenedByHand.status).toBe(200);
    const opened = await patch({
      status: "open",
      reason: "not ours after all",
    });
    expect(opened.json).toMatchObject({ status: "open", assignee: "ben" });
  });

  test("bad triage bodies are a 422 naming the field and change nothing", async ({
    api,
    db,
  }) => {
    const p = await insertProject(db);
    const d = await insertDiscrepancy(db, p.id);
    const path = `/projects/${p.id}/discrepancies/${d.fingerprint}`;
    const past = new Date(Date.now() - HOUR).toISOString();
    const future = new Date(Date.now() + HOUR).toISOString();
    for (const [body, field] of [
      [{ status: "muted", reason: "x" }, "muted_until"],
      [{ status: "muted", reason: "x", muted_until: past }, "muted_until"],
      [{ status: "muted", muted_until: future }, "reason"],
      [{ status: "resolved" }, "reason"],
      [{ status: "resolved", reason: "   " }, "reason"],
      [{ status: "acknowledged", muted_until: future }, "muted_until"],
      [{ status: "expired" }, "status"],
      [{ status: "acknowledged", assignee: "a".repeat(201) }, "assignee"],
      [{ status: "acknowledged", colour: "red" }, "(root)"],
    ] as const) {
      const res = await api.call("PATCH", path, { body });
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.json.error.code).toBe("validation_failed");
      expect(
        res.json.error.details.map((i: { path: string }) => i.path),
        JSON.stringify(body),
      ).toContain(field);
    }
    const after = await db
      .selectFrom("discrepancies")
      .selectAll()
      .where("fingerprint", "=", d.fingerprint)
      .executeTakeFirstOrThrow();
    expect(after).toEqual(d);
    const events = await db
      .selectFrom("discrepancy_events")
      .selectAll()
      .where("fingerprint", "=", d.fingerprint)
      .execute();
    expect(events).toEqual([]);
    const noToken = await api.call("PATCH", path, {
      token: null,
      body: { status: "acknowledged" },
    });
    expect(noToken.status).toBe(401);
  });

  test("a bulk change applies to all or none: a missing or a refused one changes nothing and is named", async ({
    api,
    db,
  }) => {
    const p = await insertProject(db);
    const a = await insertDiscrepancy(db, p.id);
    const b = await insertDiscrepancy(db, p.id);
    const done = await insertDiscrepancy(db, p.id, {
      status: "resolved",
      resolved_at: new Date(),
    });
    const path = `/projects/${p.id}/discrepancies`;
    const state = () =>
      db
        .selectFrom("discrepancies")
        .select(["fingerprint", "status", "status_reason"])
        .where("project_id", "=", p.id)
        .orderBy("fingerprint")
        .execute();
    const before = await state();
    const body = { status: "resolved", reason: "fixed upstream" };

    const refused = await api.call("PATCH", path, {
      body: { ...body, fingerprints: [a.fingerprint, done.fingerprint] },
    });
    expect(refused.status, refused.text).toBe(409);
    expect(refused.json.error.details).toEqual({
      conflicts: [{ fingerprint: done.fingerprint, status: "resolved" }],
    });
    const missing = await api.call("PATCH", path, {
      body: { ...body, fingerprints: [a.fingerprint, "0".repeat(64)] },
    });
    expect(missing.status).toBe(404);
    expect(missing.json.error.details).toEqual({
      fingerprints: ["0".repeat(64)],
    });
    expect(await state()).toEqual(before);
    expect(
      await db
        .selectFrom("discrepancy_events")
        .select("id")
        .where("project_id", "=", p.id)
        .execute(),
    ).toEqual([]);

    const ok = await api.call("PATCH", path, {
      body: { ...body, fingerprints: [b.fingerprint, a.fingerprint] },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(fingerprints(ok.json)).toEqual([b.fingerprint, a.fingerprint]);
    expect(
      ok.json.items.every(
        (d: any) =>
          d.status === "resolved" && d.status_reason === "fixed upstream",
      ),
    ).toBe(true);
    const events = await db
      .selectFrom("discrepancy_events")
      .select(["fingerprint", "change", "actor"])
      .where("project_id", "=", p.id)
      .orderBy("fingerprint")
      .execute();
    expect(events).toEqual(
      [a, b]
        .map((d) => ({
          fingerprint: d.fingerprint,
          change: "resolved",
          actor: "api-token-1",
        }))
        .sort((x, y) => x.fingerprint.localeCompare(y.fingerprint)),
    );
    const tooMany = await api.call("PATCH", path, {
      body: { ...body, fingerprints: [] },
    });
    expect(tooMany.status).toBe(422);
    expect(tooMany.json.error.details[0].path).toBe("fingerprints");
  });
});
