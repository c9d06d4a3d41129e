import { sql } from "kysely";
import { describe, expect } from "vitest";

import type { Db } from "../pool.js";
import { pruneAuditEvents } from "../queries/audit/prune.js";
import { dbTest } from "../testing/index.js";
import { appendAuditEvent } from "./append.js";
import { pruneAuditBatch } from "./prune.js";
import { canonicalAuditForm, hashAuditEvent } from "./canonical.js";
import { REDACTED } from "./redact.js";
import { verifyAuditChain } from "./verify.js";

// the file shares one database: each test starts from an empty chain
async function append(db: Db, n: number, target = "project:p") {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const { id } = await db.transaction().execute((trx) =>
      appendAuditEvent(trx, {
        actor: "tester",
        action: "project.update",
        target,
        requestId: `req-${i}`,
        diff: { before: { n: i }, after: { n: i + 1 } },
      }),
    );
    ids.push(id);
  }
  return ids;
}

describe("the audit chain", () => {
  dbTest(
    "the canonical form is a fixed JSON array with sorted diff keys",
    () => {
      const fields = {
        prev_hash: null,
        id: 7,
        at: new Date("2026-01-02T03:04:05.678Z"),
        actor: "ops",
        action: "rule.delete",
        target: "rule:p/r",
        request_id: "abc",
        diff: { z: 1, a: { y: [{ d: 1, c: 2 }], b: null } },
      };
      expect(canonicalAuditForm(fields)).toBe(
        '[null,"7","2026-01-02T03:04:05.678Z","ops","rule.delete","rule:p/r","abc",{"a":{"b":null,"y":[{"c":2,"d":1}]},"z":1}]',
      );
      expect(hashAuditEvent(fields)).toMatch(/^[0-9a-f]{64}$/);
    },
  );

  dbTest(
    "numbers, unicode and a __proto__ key read back from jsonb hash as written",
    async ({ db }) => {
      await db.deleteFrom("audit_events").execute();
      const diff = JSON.parse(
        '{"__proto__":{"x":1},"big":12345678901234567890,"f":0.30000000000000004,"neg":-0,"s":"\u00e9\ud83d\ude00","nested":[{"b":1,"a":[true,null]}]}',
      ) as Record<string, unknown>;
      await db.transaction().execute((trx) =>
        appendAuditEvent(trx, {
          actor: "t",
          action: "a.b",
          target: "t:1",
          requestId: null,
          diff,
        }),
      );
      const [row] = await db.selectFrom("audit_events").selectAll().execute();
      expect(Object.keys(row!.diff as object)).toContain("__proto__");
      expect(await verifyAuditChain(db)).toMatchObject({ ok: true, count: 1 });
    },
  );

  dbTest("rows link to their predecessor and verify intact", async ({ db }) => {
    await db.deleteFrom("audit_events").execute();
    const ids = await append(db, 5);
    const rows = await db
      .selectFrom("audit_events")
      .selectAll()
      .orderBy("id")
      .execute();
    expect(rows.map((r) => r.id)).toEqual(ids);
    expect(rows[0]!.prev_hash).toBeNull();
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
    }
    expect(await verifyAuditChain(db, { pageSize: 2 })).toEqual({
      ok: true,
      count: 5,
      first_id: ids[0],
      last_id: ids[4],
    });
  });

  dbTest(
    "secret-named keys are redacted, secret names kept",
    async ({ db }) => {
      await db.deleteFrom("audit_events").execute();
      const { id } = await db.transaction().execute((trx) =>
        appendAuditEvent(trx, {
          actor: "tester",
          action: "token.create",
          target: "token:ci",
          requestId: null,
          diff: {
            before: null,
            after: {
              token: "s3cr3t-value",
              nested: [{ Password: "x", secret_env: "VIGIL_SECRET_HOOK" }],
              report: { signing_secret_env: "not a name!" },
            },
          },
        }),
      );
      const row = await db
        .selectFrom("audit_events")
        .select("diff")
        .where("id", "=", id)
        .executeTakeFirstOrThrow();
      expect(row.diff).toEqual({
        before: null,
        after: {
          token: REDACTED,
          nested: [{ Password: REDACTED, secret_env: "VIGIL_SECRET_HOOK" }],
          report: { signing_secret_env: REDACTED },
        },
      });
      expect(JSON.stringify(row.diff)).not.toContain("s3cr3t");
    },
  );

  dbTest("an edited row is found by its own hash", async ({ db }) => {
    await db.deleteFrom("audit_events").execute();
    const ids = await append(db, 4);
    await sql`update audit_events set actor = 'someone else' where id = ${ids[2]}`.execute(
      db,
    );
    expect(await verifyAuditChain(db)).toMatchObject({
      ok: false,
      id: ids[2],
      reason: "edited",
      count: 2,
    });
  });

  dbTest(
    "a row rewritten with a fresh hash is found by the next row's prev_hash",
    async ({ db }) => {
      await db.deleteFrom("audit_events").execute();
      const ids = await append(db, 4);
      const row = await db
        .selectFrom("audit_events")
        .selectAll()
        .where("id", "=", ids[1]!)
        .executeTakeFirstOrThrow();
      const forged = { ...row, actor: "forger" };
      await db
        .updateTable("audit_events")
        .set({ actor: "forger", hash: hashAuditEvent(forged) })
        .where("id", "=", ids[1]!)
        .execute();
      expect(await verifyAuditChain(db)).toMatchObject({
        ok: false,
        id: ids[2],
        reason: "deleted",
      });
    },
  );

  dbTest(
    "a deleted row breaks the chain at the row after it",
    async ({ db }) => {
      await db.deleteFrom("audit_events").execute();
      const ids = await append(db, 4);
      await sql`delete from audit_events where id = ${ids[1]}`.execute(db);
      const verdict = await verifyAuditChain(db);
      expect(verdict).toMatchObject({
        ok: false,
        id: ids[2],
        reason: "deleted",
      });
      expect(verdict.ok === false && verdict.message).toContain(
        `row ${ids[0]}`,
      );
    },
  );

  dbTest(
    "pruning deletes only an old prefix, never the newest row, and the rest still verifies",
    async ({ db }) => {
      await db.deleteFrom("audit_events").execute();
      const ids = await append(db, 6);
      // rows 0, 1 and 3 old; 2 is not, so only 0 and 1 may go
      await sql`update audit_events set at = at - interval '400 days' where id in (${ids[0]}, ${ids[1]}, ${ids[3]})`.execute(
        db,
      );
      // the dates moved, so re-hash the whole chain as if written then
      const rows = await db
        .selectFrom("audit_events")
        .selectAll()
        .orderBy("id")
        .execute();
      let prev: string | null = null;
      for (const r of rows) {
        const hash = hashAuditEvent({ ...r, prev_hash: prev });
        await db
          .updateTable("audit_events")
          .set({ prev_hash: prev, hash })
          .where("id", "=", r.id)
          .execute();
        prev = hash;
      }
      expect(
        await pruneAuditEvents(db, { olderThanDays: 365, limit: 100 }),
      ).toBe(2);
      expect(
        await pruneAuditEvents(db, { olderThanDays: 365, limit: 100 }),
      ).toBe(0);
      expect(await verifyAuditChain(db)).toMatchObject({
        ok: true,
        count: 4,
        first_id: ids[2],
      });

      // everything old: all but the newest row go
      await sql`update audit_events set at = at - interval '800 days'`.execute(
        db,
      );
      expect(await pruneAuditEvents(db, { olderThanDays: 365, limit: 2 })).toBe(
        2,
      );
      expect(
        await pruneAuditEvents(db, { olderThanDays: 365, limit: 100 }),
      ).toBe(1);
      expect(
        await pruneAuditEvents(db, { olderThanDays: 365, limit: 100 }),
      ).toBe(0);
      expect(
        (await db.selectFrom("audit_events").select("id").execute()).map(
          (r) => r.id,
        ),
      ).toEqual([ids[5]]);
    },
  );

  dbTest(
    "a recorded prune names its anchor; rows taken off the start by hand afterwards are found",
    async ({ db }) => {
      await db.deleteFrom("audit_events").execute();
      const ids = await append(db, 5);
      await sql`update audit_events set at = at - interval '400 days' where id <= ${ids[1]}`.execute(
        db,
      );
      let prev: string | null = null;
      for (const r of await db
        .selectFrom("audit_events")
        .selectAll()
        .orderBy("id")
        .execute()) {
        const hash = hashAuditEvent({ ...r, prev_hash: prev });
        await db
          .updateTable("audit_events")
          .set({ prev_hash: prev, hash })
          .where("id", "=", r.id)
          .execute();
        prev = hash;
      }
      expect(await pruneAuditBatch(db, { olderThanDays: 365, limit: 10 })).toBe(
        2,
      );
      const record = await db
        .selectFrom("audit_events")
        .selectAll()
        .where("action", "=", "audit.prune")
        .executeTakeFirstOrThrow();
      expect(record.actor).toBe("system");
      expect(record.diff).toMatchObject({
        before: null,
        after: { deleted: 2, oldest_kept_id: ids[2] },
      });
      expect(await verifyAuditChain(db)).toMatchObject({
        ok: true,
        count: 4,
        first_id: ids[2],
      });
      // nothing old left: no batch, no record
      expect(await pruneAuditBatch(db, { olderThanDays: 365, limit: 10 })).toBe(
        0,
      );
      expect(
        await db
          .selectFrom("audit_events")
          .select("id")
          .where("action", "=", "audit.prune")
          .execute(),
      ).toHaveLength(1);

      await sql`delete from audit_events where id = ${ids[2]}`.execute(db);
      const verdict = await verifyAuditChain(db);
      expect(verdict).toMatchObject({
        ok: false,
        id: ids[3],
        reason: "deleted",
      });
      expect(verdict.ok === false && verdict.message).toContain(
        `kept row ${ids[2]} as the oldest`,
      );
    },
  );

  dbTest(
    "appends from parallel transactions form one chain",
    async ({ db }) => {
      await db.deleteFrom("audit_events").execute();
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => append(db, 1, `t:${i}`)),
      );
      expect(await verifyAuditChain(db)).toMatchObject({ ok: true, count: 20 });
    },
  );
});
