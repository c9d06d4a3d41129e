import os from "node:os";

import { pruneAuditEvents } from "@vigil/db";
import { dbTest } from "@vigil/db/testing";
import { sql } from "kysely";
import { describe, expect } from "vitest";

import { runCliOn as vigil, yamlFile } from "./run-cli.js";

/** One YAML document; a file may hold several. */
const project = (id: string, name = id) => `---
id: ${id}
name: ${name}
config: { data_source: { type: manual }, report: { mode: always, url_env: VIGIL_SECRET_HOOK_URL } }
schedules:
  - { cron_expression: "0 * * * *", timezone: UTC }
rules:
  - rule_id: none
    code: "export function detect() { return []; }"
`;

describe("vigil apply's audit rows and vigil audit verify", () => {
  dbTest(
    "apply appends one row per project with the cli: actor; a refused file appends none",
    async ({ db, testDatabase }) => {
      const url = testDatabase.url;
      const created = await vigil(
        ["apply", "-f", await yamlFile(project("cli-a") + project("cli-b"))],
        url,
      );
      expect(created.code, created.stderr).toBe(0);
      const changed = await vigil(
        ["apply", "-f", await yamlFile(project("cli-a", "Renamed"))],
        url,
      );
      expect(changed.code, changed.stderr).toBe(0);
      const rows = await db
        .selectFrom("audit_events")
        .selectAll()
        .where("target", "in", ["project:cli-a", "project:cli-b"])
        .orderBy("id")
        .execute();
      expect(
        rows.map((r) => [r.actor, r.action, r.target, r.request_id]),
      ).toEqual([
        [
          `cli:${os.userInfo().username}`,
          "project.create",
          "project:cli-a",
          null,
        ],
        [
          `cli:${os.userInfo().username}`,
          "project.create",
          "project:cli-b",
          null,
        ],
        [
          `cli:${os.userInfo().username}`,
          "project.update",
          "project:cli-a",
          null,
        ],
      ]);
      const diff = rows[2]!.diff as {
        before: { project: { name: string } };
        after: { project: { name: string; config: unknown } };
      };
      expect(diff.before.project.name).toBe("cli-a");
      expect(diff.after.project.name).toBe("Renamed");
      // a secret's name is recorded, as the config holds it
      expect(JSON.stringify(diff.after.project.config)).toContain(
        "VIGIL_SECRET_HOOK_URL",
      );

      const count = async () =>
        (await db.selectFrom("audit_events").select("id").execute()).length;
      const before = await count();
      const refused = await vigil(
        [
          "apply",
          "-f",
          await yamlFile(
            project("cli-c") +
              project("cli-d").replace('"0 * * * *"', '"61 * * * *"'),
          ),
        ],
        url,
      );
      expect(refused.code).toBe(1);
      expect(await count()).toBe(before);
    },
  );

  dbTest(
    "verify passes on an intact chain, then names an edited row and a deleted row, and passes after a prune",
    async ({ db, testDatabase }) => {
      const url = testDatabase.url;
      await db.deleteFrom("audit_events").execute();
      for (const name of ["one", "two", "three", "four"]) {
        const res = await vigil(
          ["apply", "-f", await yamlFile(project("cli-chain", name))],
          url,
        );
        expect(res.code, res.stderr).toBe(0);
      }
      const ids = (
        await db.selectFrom("audit_events").select("id").orderBy("id").execute()
      ).map((r) => r.id);
      expect(ids).toHaveLength(4);

      const intact = await vigil(["audit", "verify"], url);
      expect(intact.code, intact.stderr).toBe(0);
      expect(intact.stdout).toContain(
        `audit chain intact: 4 rows (ids ${ids[0]}..${ids[3]})`,
      );

      await sql`update audit_events set actor = 'cli:mallory' where id = ${ids[1]}`.execute(
        db,
      );
      const edited = await vigil(["audit", "verify"], url);
      expect(edited.code).toBe(1);
      expect(edited.stderr).toContain(`audit row ${ids[1]}`);
      expect(edited.stderr).toContain("was edited");
      expect(edited.stderr).toContain(`first broken row: ${ids[1]} (edited)`);

      await sql`delete from audit_events where id = ${ids[1]}`.execute(db);
      const deleted = await vigil(["audit", "verify"], url);
      expect(deleted.code).toBe(1);
      expect(deleted.stderr).toContain(`audit row ${ids[2]}`);
      expect(deleted.stderr).toContain(`first broken row: ${ids[2]} (deleted)`);

      // a prune takes the oldest rows away, the broken link with them: the rest verifies
      await pruneAuditEvents(db, {
        olderThanDays: 0,
        limit: 1,
      });
      const pruned = await vigil(["audit", "verify"], url);
      expect(pruned.code, pruned.stderr).toBe(0);
      expect(pruned.stdout).toContain(
        `audit chain intact: 2 rows (ids ${ids[2]}..${ids[3]})`,
      );
    },
  );

  dbTest(
    "audit without verify is a usage error (exit 2)",
    async ({ testDatabase }) => {
      const res = await vigil(["audit"], testDatabase.url);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain("vigil audit verify");
    },
  );
});
