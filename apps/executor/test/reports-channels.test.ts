import { attachmentText, startSmtpReceiver } from "@vigil/channels/testing";
import { verifyReportSignature } from "@vigil/channels";
import { ProjectConfigSchema, type ProjectConfig } from "@vigil/contracts";
import type { Db, ReportDiscrepancy } from "@vigil/db";
import { dbTest, insertProject, waitFor } from "@vigil/db/testing";
import { afterEach, describe, expect } from "vitest";

import { createDeliveryLoop } from "../src/reports/delivery-loop.js";
import { enqueueReportForExecution } from "../src/reports/enqueue-report.js";
import {
  insertExecution,
  startReportReceiver,
  testLogger,
} from "./reports-helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

const transition = (key: string): ReportDiscrepancy => ({
  change: "new",
  fingerprint: `fp-${key}`,
  ruleId: "totals",
  findingKey: key,
  severity: "high",
  previousSeverity: "high",
  status: "open",
  previousStatus: null,
  message: `order ${key} is off, by 3`,
  occurrences: 1,
  firstSeenAt: new Date("2026-11-01T00:00:00Z"),
  regressions: 0,
  assignee: null,
});

function config(channels: unknown[], extra: Record<string, unknown> = {}) {
  return ProjectConfigSchema.parse({
    data_source: { type: "manual" },
    channels,
    report: {
      mode: "always",
      channels: channels.map((c) => (c as { name: string }).name),
    },
    ...extra,
  });
}

async function enqueueFor(
  db: Db,
  projectConfig: ProjectConfig,
  status: "success" | "failed" = "success",
) {
  const project = await insertProject(db, { config: projectConfig });
  const execution = await insertExecution(db, project.id, {
    status,
    findings_count: 2,
    ...(status === "failed" ? { error_message: "source down" } : {}),
  });
  const result = await db.transaction().execute((trx) =>
    enqueueReportForExecution(trx, {
      project: { id: project.id, name: project.name, config: projectConfig },
      execution,
      changes: [transition("a"), transition("b")],
      settings: { maxAttempts: 5, publicUrl: null, globalReportUrlSet: true },
      now: new Date(),
    }),
  );
  return { project, execution, result };
}

const rowsOf = (db: Db, projectId: string) =>
  db
    .selectFrom("report_outbox")
    .select([
      "id",
      "kind",
      "channel_name",
      "channel_kind",
      "status",
      "attempts",
      "last_error",
      "last_status_code",
      "idempotency_key",
    ])
    .where("project_id", "=", projectId)
    .orderBy("id")
    .execute();

async function startLoop(
  db: Db,
  env: Record<string, string | undefined>,
  smtpPort: number | null,
  allowPrivateNetworks = true,
) {
  const loop = createDeliveryLoop({
    db,
    logger: testLogger,
    workerId: "channels-test",
    env,
    settings: {
      reportUrl: undefined,
      signingSecret: "test-signing-secret-0123456789",
      allowPrivateNetworks,
      timeoutMs: 2000,
      backoffBaseMs: 50,
      backoffMaxMs: 100,
      pollIntervalMs: 100,
      smtp:
        smtpPort === null
          ? { SMTP_SECURE: false, SMTP_STARTTLS: "never" }
          : {
              SMTP_HOST: "127.0.0.1",
              SMTP_PORT: smtpPort,
              SMTP_SECURE: false,
              SMTP_STARTTLS: "never",
              SMTP_FROM: "vigil@example.com",
            },
    },
    random: () => 0.5,
  });
  await loop.start();
  cleanups.push(() => loop.stop({ force: true }));
}

describe("notification channels", () => {
  dbTest(
    "one report makes one row per channel: a webhook, a slack webhook and an email with its CSV attachment each get it",
    async ({ db }) => {
      const smtp = await startSmtpReceiver();
      cleanups.push(() => smtp.close());
      const hooks = await startReportReceiver((_req, res) => {
        res.writeHead(200).end("ok");
      });
      cleanups.push(() => hooks.close());
      const { project, execution, result } = await enqueueFor(
        db,
        config([
          { name: "ops-hook", kind: "webhook", url_env: "VIGIL_SECRET_HOOK" },
          { name: "ops-slack", kind: "slack", url_env: "VIGIL_SECRET_SLACK" },
          {
            name: "ops-mail",
            kind: "email",
            to: ["ops@example.com", "lead@example.com"],
            subject_prefix: "[billing]",
          },
        ]),
      );
      expect(result.report).toBe("enqueued");
      const rows = await rowsOf(db, project.id);
      // report.channels set: REPORT_URL is not used, only the named channels
      expect(rows.map((r) => [r.channel_name, r.channel_kind])).toEqual([
        ["ops-hook", "webhook"],
        ["ops-slack", "slack"],
        ["ops-mail", "email"],
      ]);
      expect(new Set(rows.map((r) => r.idempotency_key))).toEqual(
        new Set([`report:${execution.id}`]),
      );
      await startLoop(
        db,
        {
          VIGIL_SECRET_HOOK: `${hooks.url}-ops`,
          VIGIL_SECRET_SLACK: `${hooks.url}-slack`,
        },
        smtp.port,
      );
      await waitFor(
        async () =>
          (await rowsOf(db, project.id)).every((r) => r.status === "delivered"),
        { timeoutMs: 15_000, message: "every channel delivered" },
      );
      expect(hooks.requests.map((r) => r.path).sort()).toEqual([
        "/hook-ops",
        "/hook-slack",
      ]);
      const signed = hooks.requests.find((r) => r.path === "/hook-ops");
      expect(
        verifyReportSignature({
          body: signed?.body ?? "",
          header: signed?.signature ?? "",
          secret: "test-signing-secret-0123456789",
          nowSeconds: Math.floor(Date.now() / 1000),
          toleranceSeconds: 300,
        }),
      ).toMatchObject({ ok: true });
      expect(smtp.mails).toHaveLength(1);
      const mail = smtp.mails[0];
      expect(mail?.to).toEqual(["ops@example.com", "lead@example.com"]);
      expect(mail?.raw).toContain("[billing] Vigil:");
      const csv = attachmentText(
        mail?.raw ?? "",
        `vigil-${project.id}-execution-${execution.id}.csv`,
      );
      expect(csv?.split("\r\n").slice(0, 3)).toEqual([
        "change,rule_id,key,severity,message,fingerprint,first_seen_at,occurrences",
        'new,totals,a,high,"order a is off, by 3",fp-a,2026-11-01T00:00:00.000Z,1',
        'new,totals,b,high,"order b is off, by 3",fp-b,2026-11-01T00:00:00.000Z,1',
      ]);
    },
  );

  dbTest(
    "an SMTP server that refuses once (451) gets the email on the retry; a recipient refused for good (550) is dead at once",
    async ({ db }) => {
      const smtp = await startSmtpReceiver();
      cleanups.push(() => smtp.close());
      const mail = { name: "ops-mail", kind: "email", to: ["ops@example.com"] };
      const soft = await enqueueFor(db, config([mail]));
      smtp.refuseNext([451]);
      await startLoop(db, {}, smtp.port);
      await waitFor(
        async () =>
          (await rowsOf(db, soft.project.id))[0]?.status === "delivered",
        { timeoutMs: 15_000, message: "email delivered on the retry" },
      );
      const [retried] = await rowsOf(db, soft.project.id);
      expect(retried).toMatchObject({ attempts: 2, last_status_code: 250 });
      const attempts = await db
        .selectFrom("report_delivery_attempts")
        .select(["attempt", "status_code", "error"])
        .where("outbox_id", "=", retried?.id ?? -1)
        .orderBy("attempt")
        .execute();
      expect(attempts[0]).toMatchObject({ attempt: 1, status_code: 451 });
      expect(attempts[0]?.error).toContain("451");
      expect(smtp.mails).toHaveLength(1);

      smtp.rejectRecipients.add("gone@example.com");
      const hard = await enqueueFor(
        db,
        config([{ ...mail, to: ["gone@example.com"] }]),
      );
      await waitFor(
        async () => (await rowsOf(db, hard.project.id))[0]?.status === "dead",
        { timeoutMs: 15_000, message: "email dead-lettered" },
      );
      const [dead] = await rowsOf(db, hard.project.id);
      expect(dead).toMatchObject({ attempts: 1, last_status_code: 550 });
      expect(dead?.last_error).toContain("550");
    },
  );

  dbTest(
    "a channel on a private address or with a malformed URL dead-letters at once, naming REPORT_ALLOW_PRIVATE_NETWORKS or the variable, and holds up no other channel",
    async ({ db }) => {
      const smtp = await startSmtpReceiver();
      cleanups.push(() => smtp.close());
      const { project } = await enqueueFor(
        db,
        config([
          { name: "local-hook", kind: "webhook", url_env: "VIGIL_SECRET_HOOK" },
          { name: "ops-mail", kind: "email", to: ["ops@example.com"] },
          { name: "typo-hook", kind: "webhook", url_env: "VIGIL_SECRET_TYPO" },
        ]),
      );
      await startLoop(
        db,
        {
          VIGIL_SECRET_HOOK: "http://127.0.0.1:9/hook",
          VIGIL_SECRET_TYPO: "htp//hooks.example.com/x",
        },
        smtp.port,
        false,
      );
      await waitFor(
        async () =>
          (await rowsOf(db, project.id)).every(
            (r) => r.status === "dead" || r.status === "delivered",
          ),
        { timeoutMs: 15_000, message: "both rows settled" },
      );
      const [hook, email, typo] = await rowsOf(db, project.id);
      expect(hook).toMatchObject({ status: "dead", attempts: 1 });
      expect(hook?.last_error).toContain("REPORT_ALLOW_PRIVATE_NETWORKS");
      expect(email).toMatchObject({ status: "delivered" });
      expect(typo).toMatchObject({ status: "dead", attempts: 1 });
      expect(typo?.last_error).toBe(
        "the value of VIGIL_SECRET_TYPO is not a valid URL",
      );
    },
  );

  dbTest(
    "report.url_env stays the implicit `default` channel beside the named ones; without report.channels REPORT_URL is used as before",
    async ({ db }) => {
      const both = await enqueueFor(
        db,
        ProjectConfigSchema.parse({
          data_source: { type: "manual" },
          channels: [{ name: "mail", kind: "email", to: ["a@example.com"] }],
          report: {
            mode: "always",
            url_env: "VIGIL_SECRET_HOOK",
            channels: ["mail"],
          },
        }),
      );
      expect(
        (await rowsOf(db, both.project.id)).map((r) => r.channel_name),
      ).toEqual(["default", "mail"]);
      const legacy = await enqueueFor(
        db,
        ProjectConfigSchema.parse({
          data_source: { type: "manual" },
          report: { mode: "always" },
        }),
      );
      const [row] = await rowsOf(db, legacy.project.id);
      expect(row).toMatchObject({
        channel_name: "default",
        channel_kind: "webhook",
      });
    },
  );

  dbTest(
    "a failure alert goes to alert.slack_webhook_env and to each of alert.channels",
    async ({ db }) => {
      const smtp = await startSmtpReceiver();
      cleanups.push(() => smtp.close());
      const hooks = await startReportReceiver((_req, res) => {
        res.writeHead(200).end("ok");
      });
      cleanups.push(() => hooks.close());
      const projectConfig = ProjectConfigSchema.parse({
        data_source: { type: "manual" },
        channels: [
          { name: "oncall", kind: "email", to: ["oncall@example.com"] },
        ],
        report: { mode: "none" },
        alert: {
          slack_webhook_env: "VIGIL_SECRET_SLACK",
          channels: ["oncall"],
        },
      });
      const { project, result } = await enqueueFor(db, projectConfig, "failed");
      expect(result).toEqual({ report: "mode", alert: "enqueued" });
      await startLoop(
        db,
        { VIGIL_SECRET_SLACK: `${hooks.url}-slack` },
        smtp.port,
      );
      await waitFor(
        async () =>
          (await rowsOf(db, project.id)).every((r) => r.status === "delivered"),
        { timeoutMs: 15_000, message: "alert delivered on both channels" },
      );
      const rows = await rowsOf(db, project.id);
      expect(rows.map((r) => [r.kind, r.channel_name, r.channel_kind])).toEqual(
        [
          ["alert", "default", "slack"],
          ["alert", "oncall", "email"],
        ],
      );
      expect(smtp.mails[0]?.raw).toContain("failed: source down");
    },
  );
});
