import { ReportSchema } from "@vigil/contracts";
import { dbTest, insertProject, insertRule, waitFor } from "@vigil/db/testing";
import { afterAll, expect } from "vitest";

import { runOnce } from "./fixtures/hostile/harness.js";
import {
  killStartedExecutors,
  makeWorkDir,
  startExecutor,
  uploadRows,
} from "./helpers.js";
import { startReportReceiver } from "./reports-helpers.js";

// The whole path in a real executor process (dist/main.js): runs of a changing data set, the
// reports and alerts the record transaction enqueues, delivered to a real HTTP receiver.
afterAll(killStartedExecutors);

const rule = `export function detect(rows) {
  if (rows.some((r) => r.boom)) throw new Error("the source changed shape");
  return rows
    .filter((r) => r.total !== r.paid)
    .map((r) => ({ key: r.id, severity: r.sev, message: \`order \${r.id} is off\` }));
}`;

dbTest(
  "a real executor reports each run's transitions only, alerts after two failed runs in a row and sends one recovery",
  async ({ db, testDatabase }) => {
    const receiver = await startReportReceiver();
    try {
      const project = await insertProject(db, {
        config: {
          data_source: { type: "manual" },
          timeout_seconds: 10,
          memory_mb: 128,
          report: { mode: "on_change", url_env: "VIGIL_SECRET_T_REPORT_URL" },
          alert: {
            slack_webhook_env: "VIGIL_SECRET_T_ALERT_URL",
            after_failures: 2,
          },
        },
      });
      await insertRule(db, project.id, { ruleId: "totals", code: rule });
      const executor = startExecutor(testDatabase.url, {
        WORK_DIR: await makeWorkDir(),
        VIGIL_SECRET_T_REPORT_URL: receiver.url,
        VIGIL_SECRET_T_ALERT_URL: receiver.url,
        REPORT_ALLOW_PRIVATE_NETWORKS: "true",
        POLL_INTERVAL_MS: "200",
      });
      const run = async (rows: object[]) => {
        await uploadRows(db, project.id, rows);
        return (await runOnce(db, project.id, executor)).id;
      };
      const off = (id: string, sev = "high") => ({
        id,
        total: 10,
        paid: 1,
        sev,
      });
      const ok = (id: string) => ({ id, total: 10, paid: 10, sev: "high" });

      const r1 = await run([off("o1"), ok("o2")]);
      const r2 = await run([ok("o1"), off("o2", "low")]);
      await run([ok("o1"), off("o2", "low")]); // nothing changed
      const r4 = await run([off("o2", "critical")]); // o2 escalates, o1 not read
      await run([{ id: "x", boom: true }]); // failed 1
      const r6 = await run([{ id: "x", boom: true }]); // failed 2: alert
      await run([{ id: "x", boom: true }]); // failed 3: throttled, no second alert
      const r8 = await run([off("o2", "critical")]); // recovers
      await run([off("o2", "critical")]); // still fine: nothing

      const expected = [
        `report:${r1}`,
        `report:${r2}`,
        `report:${r4}`,
        `alert:${r6}`,
        `recovery:${r8}`,
      ];
      await waitFor(
        () => receiver.accepted.size >= expected.length || undefined,
        {
          timeoutMs: 20_000,
          message: `deliveries: ${[...receiver.accepted.keys()].join(", ")}`,
        },
      );
      // let anything else that was enqueued arrive before counting
      await new Promise((r) => setTimeout(r, 1000));
      expect([...receiver.accepted.keys()].sort()).toEqual(
        [...expected].sort(),
      );

      const groups = (key: string) => {
        const report = ReportSchema.parse(
          JSON.parse(receiver.accepted.get(key)!),
        );
        const { omitted: _o, still_open: _s, ...rest } = report.findings;
        return Object.fromEntries(
          Object.entries(rest)
            .filter(([, list]) => list.length > 0)
            .map(([g, list]) => [g, list.map((f) => f.key)]),
        );
      };
      expect(groups(`report:${r1}`)).toEqual({ new: ["o1"] });
      expect(groups(`report:${r2}`)).toEqual({ new: ["o2"], resolved: ["o1"] });
      expect(groups(`report:${r4}`)).toEqual({ escalated: ["o2"] });
      const alert = JSON.parse(receiver.accepted.get(`alert:${r6}`)!) as {
        text: string;
      };
      expect(alert.text).toContain("failed (2 runs in a row)");
      const recovery = JSON.parse(receiver.accepted.get(`recovery:${r8}`)!) as {
        text: string;
      };
      expect(recovery.text).toContain("recovered");
    } finally {
      // the next test's runs must not be claimed (and delivered) by this test's executor
      await killStartedExecutors();
      await receiver.close();
    }
  },
);

dbTest(
  "a real executor flushes a due digest when no run comes to carry it",
  async ({ db, testDatabase }) => {
    const receiver = await startReportReceiver();
    try {
      const project = await insertProject(db, {
        config: {
          data_source: { type: "manual" },
          timeout_seconds: 10,
          memory_mb: 128,
          report: {
            mode: "on_change",
            url_env: "VIGIL_SECRET_T_REPORT_URL",
            digest: "PT5S",
          },
        },
      });
      await insertRule(db, project.id, { ruleId: "totals", code: rule });
      const executor = startExecutor(testDatabase.url, {
        WORK_DIR: await makeWorkDir(),
        VIGIL_SECRET_T_REPORT_URL: receiver.url,
        REPORT_ALLOW_PRIVATE_NETWORKS: "true",
        POLL_INTERVAL_MS: "200",
      });
      const run = async (rows: object[]) => {
        await uploadRows(db, project.id, rows);
        return (await runOnce(db, project.id, executor)).id;
      };
      const off = (id: string) => ({ id, total: 10, paid: 1, sev: "high" });
      const ok = (id: string) => ({ id, total: 10, paid: 10, sev: "high" });

      const r1 = await run([off("o1"), ok("o2")]); // first digest: at once
      const r2 = await run([ok("o1"), off("o2")]);
      const r3 = await run([ok("o1"), off("o2"), off("o3")]);
      const key2 = `digest:${project.id}:2`;
      const last = await db
        .selectFrom("executions")
        .select("finished_at")
        .where("id", "=", r3)
        .executeTakeFirstOrThrow();
      await waitFor(() => receiver.accepted.has(key2) || undefined, {
        timeoutMs: 20_000,
        message: `the second digest; got ${[...receiver.accepted.keys()].join(", ")}\n${executor.logs.slice(-10).join("\n")}`,
      });
      expect([...receiver.accepted.keys()]).toEqual([
        `digest:${project.id}:1`,
        key2,
      ]);
      const first = ReportSchema.parse(
        JSON.parse(receiver.accepted.get(`digest:${project.id}:1`)!),
      );
      expect(first.digest).toMatchObject({ last_execution_id: r1 });
      // every run ended inside the first interval: the second digest came from the flush
      expect(
        last.finished_at!.getTime() - Date.parse(first.generated_at),
      ).toBeLessThan(5000);
      const second = ReportSchema.parse(
        JSON.parse(receiver.accepted.get(key2)!),
      );
      expect(second.digest).toMatchObject({
        first_execution_id: r2,
        last_execution_id: r3,
        executions: 2,
      });
      expect({
        new: second.findings.new.map((f) => f.key).sort(),
        resolved: second.findings.resolved.map((f) => f.key),
      }).toEqual({ new: ["o2", "o3"], resolved: ["o1"] });
    } finally {
      // the next test's runs must not be claimed (and delivered) by this test's executor
      await killStartedExecutors();
      await receiver.close();
    }
  },
);
