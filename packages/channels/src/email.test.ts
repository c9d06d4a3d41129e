import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { sendEmail, type SmtpEnv } from "./email.js";
import { renderAlertEmail, renderReportEmail } from "./render.js";
import {
  attachmentText,
  startSmtpReceiver,
  type SmtpReceiver,
} from "./testing/smtp-receiver.js";
import type { Report } from "@vigil/contracts";

const finding = (key: string, message: string) => ({
  rule_id: "amount_matches",
  key,
  severity: "high" as const,
  message,
  fingerprint: `fp-${key}`,
  first_seen_at: "2026-01-01T00:00:00.000Z",
  occurrences: 1,
});

const counts = { info: 0, low: 0, medium: 0, high: 0, critical: 0 };

const report: Report = {
  v: 1,
  id: "report:41",
  project: { id: "billing", name: "Billing" },
  execution: {
    id: 41,
    status: "success",
    attempt: 1,
    scheduled_for: "2026-01-01T00:00:00.000Z",
    started_at: null,
    finished_at: null,
    duration_ms: 5,
    window: null,
    findings_count: 2,
    findings_truncated: 0,
    truncated_rules: [],
    error_message: null,
    rule_errors: [],
    url: null,
  },
  findings: {
    new: [
      finding("order-1", 'amount 10 != 12, "cents"'),
      finding("order-2", "<b>missing</b>"),
    ],
    reopened: [],
    escalated: [],
    unmuted: [],
    still_open: [],
    resolved: [finding("order-0", "was wrong")],
    expired: [],
    omitted: {
      new: 0,
      reopened: 0,
      escalated: 0,
      unmuted: 0,
      still_open: 0,
      resolved: 0,
      expired: 0,
    },
  },
  summary: {
    new: 2,
    reopened: 0,
    escalated: 0,
    unmuted: 0,
    still_open: 0,
    resolved: 1,
    expired: 0,
    open_by_severity: { ...counts, high: 2 },
    new_by_severity: { ...counts, high: 2 },
    resolved_by_severity: { ...counts, high: 1 },
  },
  generated_at: "2026-01-01T00:00:01.000Z",
};

let smtp: SmtpReceiver;
let env: SmtpEnv;
beforeEach(async () => {
  smtp = await startSmtpReceiver({ users: { vigil: "s3cret-password" } });
  env = {
    SMTP_HOST: "127.0.0.1",
    SMTP_PORT: smtp.port,
    SMTP_SECURE: false,
    SMTP_STARTTLS: "never",
    SMTP_USER: "vigil",
    SMTP_PASSWORD: "s3cret-password",
    SMTP_FROM: "vigil@example.com",
  };
});
afterEach(() => smtp.close());

const message = (to = ["ops@example.com"]) => ({
  to,
  email: renderReportEmail(report, "[billing]"),
  idempotencyKey: "report:41",
});

describe("sendEmail over a real SMTP server", () => {
  it("delivers HTML and text bodies with the findings as a CSV attachment, logged in", async () => {
    const outcome = await sendEmail(env, message(), 5000);
    expect(outcome).toMatchObject({ kind: "delivered", statusCode: 250 });
    expect(outcome.response).toContain("queued as test-1");
    expect(smtp.mails).toHaveLength(1);
    const [mail] = smtp.mails;
    expect(mail).toMatchObject({
      from: "vigil@example.com",
      to: ["ops@example.com"],
      user: "vigil",
    });
    expect(mail?.raw).toContain("[billing] Vigil: Billing: 2 new, 1 resolved");
    expect(mail?.raw).toMatch(/content-type: text\/plain/i);
    expect(mail?.raw).toMatch(/content-type: text\/html/i);
    expect(mail?.raw).toContain("X-Vigil-Idempotency-Key: report:41");
    const csv = attachmentText(
      mail?.raw ?? "",
      "vigil-billing-execution-41.csv",
    );
    expect(csv?.split("\r\n")).toEqual([
      "change,rule_id,key,severity,message,fingerprint,first_seen_at,occurrences",
      'new,amount_matches,order-1,high,"amount 10 != 12, ""cents""",fp-order-1,2026-01-01T00:00:00.000Z,1',
      "new,amount_matches,order-2,high,<b>missing</b>,fp-order-2,2026-01-01T00:00:00.000Z,1",
      "resolved,amount_matches,order-0,high,was wrong,fp-order-0,2026-01-01T00:00:00.000Z,1",
      "",
    ]);
  });

  it("takes the server and the login from SMTP_URL alone", async () => {
    const outcome = await sendEmail(
      {
        SMTP_URL: `smtp://vigil:s3cret-password@127.0.0.1:${smtp.port}`,
        SMTP_SECURE: false,
        SMTP_STARTTLS: "never",
        SMTP_FROM: "vigil@example.com",
      },
      message(),
      5000,
    );
    expect(outcome).toMatchObject({ kind: "delivered" });
    expect(smtp.mails[0]?.user).toBe("vigil");
  });

  it("says in both bodies how many findings past the per-rule cap were dropped, and nothing when none were", () => {
    const truncated = renderReportEmail({
      ...report,
      execution: { ...report.execution, findings_truncated: 3 },
    });
    const line =
      "3 more past the per-rule cap (max_findings_per_rule) were dropped; those rules resolved nothing.";
    expect(truncated.text).toContain(line);
    expect(truncated.html).toContain(`<p>${line}</p>`);
    const plain = renderReportEmail(report);
    expect(plain.text).not.toContain("per-rule cap");
    expect(plain.html).not.toContain("per-rule cap");
  });

  it("escapes finding text in the HTML body", () => {
    const html = renderReportEmail(report).html;
    expect(html).toContain("&lt;b&gt;missing&lt;/b&gt;");
    expect(html).not.toContain("<b>missing</b>");
  });

  it("a 4xx refusal is a failure to retry; a 5xx refusal and a refused recipient are permanent", async () => {
    smtp.refuseNext([451]);
    const soft = await sendEmail(env, message(), 5000);
    expect(soft).toMatchObject({
      kind: "failed",
      statusCode: 451,
      permanent: false,
    });
    smtp.refuseNext([554]);
    const hard = await sendEmail(env, message(), 5000);
    expect(hard).toMatchObject({
      kind: "failed",
      statusCode: 554,
      permanent: true,
    });
    smtp.rejectRecipients.add("nobody@example.com");
    const rcpt = await sendEmail(env, message(["nobody@example.com"]), 5000);
    expect(rcpt).toMatchObject({
      kind: "failed",
      statusCode: 550,
      permanent: true,
    });
    expect(smtp.mails).toHaveLength(0);
  });

  it("a wrong password is permanent and its error does not carry the password", async () => {
    const outcome = await sendEmail(
      { ...env, SMTP_PASSWORD: "wrong-password-123" },
      { ...message(), email: renderAlertEmail("Vigil: Billing failed") },
      5000,
    );
    expect(outcome).toMatchObject({ kind: "failed", permanent: true });
    expect(JSON.stringify(outcome)).not.toContain("wrong-password-123");
  });

  it("no server configured, or a server that is not listening, is retried", async () => {
    expect(
      await sendEmail(
        { SMTP_SECURE: false, SMTP_STARTTLS: "never" },
        message(),
        5000,
      ),
    ).toMatchObject({
      kind: "failed",
      permanent: false,
      error: expect.stringContaining("SMTP_URL or SMTP_HOST"),
    });
    await smtp.close();
    const down = await sendEmail(env, message(), 2000);
    expect(down).toMatchObject({
      kind: "failed",
      permanent: false,
      statusCode: null,
    });
  });
});
