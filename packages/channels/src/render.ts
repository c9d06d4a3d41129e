import {
  REPORT_TRANSITION_GROUPS,
  ReportSchema,
  type Report,
  type ReportFinding,
  type ReportGroup,
} from "@vigil/contracts";
import Handlebars from "handlebars";

import { toCsv } from "./csv.js";

/** Findings listed in an email's body per group; the CSV attachment carries all of them. */
export const EMAIL_BODY_MAX_FINDINGS = 50;

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
  attachments: { filename: string; content: string; contentType: string }[];
}

export const CSV_HEADER = [
  "change",
  "rule_id",
  "key",
  "severity",
  "message",
  "fingerprint",
  "first_seen_at",
  "occurrences",
] as const;

/** Every group of the report (REPORT_GROUPS), titled, in the report's order. */
const GROUPS = [
  ["new", "New"],
  ["reopened", "Reopened"],
  ["escalated", "Escalated"],
  ["unmuted", "Mute ended"],
  ["still_open", "Still open"],
  ["resolved", "Resolved"],
  ["expired", "Expired"],
] as const satisfies ReadonlyArray<readonly [ReportGroup, string]>;

// One isolated instance: no helper or partial registered elsewhere can change these templates.
const hbs = Handlebars.create();

const TEXT = hbs.compile(
  `{{project.name}} ({{project.id}}): execution {{execution.id}} {{execution.status}}, {{execution.findings_count}} finding(s).
{{#if execution.findings_truncated}}{{execution.findings_truncated}} more past the per-rule cap (max_findings_per_rule) were dropped; those rules resolved nothing.
{{/if}}{{#if execution.error_message}}Error: {{execution.error_message}}
{{/if}}{{#each execution.rule_errors}}Rule {{rule_id}} failed: {{message}}
{{/each}}{{#if execution.url}}{{execution.url}}
{{/if}}
{{#each groups}}
{{title}} ({{count}}):
{{#each shown}}  [{{severity}}] {{rule_id}} {{key}}: {{message}}
{{/each}}{{#if more}}  … and {{more}} more (see the CSV attachment)
{{/if}}
{{/each}}`,
  { noEscape: true },
);

const HTML = hbs.compile(
  `<!doctype html><html><body style="font-family:sans-serif">
<h2>{{project.name}} <small>({{project.id}})</small></h2>
<p>Execution {{#if execution.url}}<a href="{{execution.url}}">{{execution.id}}</a>{{else}}{{execution.id}}{{/if}}: <b>{{execution.status}}</b>, {{execution.findings_count}} finding(s).</p>
{{#if execution.findings_truncated}}<p>{{execution.findings_truncated}} more past the per-rule cap (max_findings_per_rule) were dropped; those rules resolved nothing.</p>{{/if}}
{{#if execution.error_message}}<p>Error: {{execution.error_message}}</p>{{/if}}
{{#if execution.rule_errors.length}}<ul>{{#each execution.rule_errors}}<li>Rule <b>{{rule_id}}</b> failed: {{message}}</li>{{/each}}</ul>{{/if}}
{{#each groups}}
<h3>{{title}} ({{count}})</h3>
{{#if shown.length}}<table border="1" cellpadding="4" cellspacing="0">
<tr><th>Severity</th><th>Rule</th><th>Key</th><th>Message</th></tr>
{{#each shown}}<tr><td>{{severity}}</td><td>{{rule_id}}</td><td>{{key}}</td><td>{{message}}</td></tr>
{{/each}}</table>{{/if}}
{{#if more}}<p>… and {{more}} more (see the CSV attachment)</p>{{/if}}
{{/each}}
</body></html>`,
);

const ALERT_HTML = hbs.compile(
  `<!doctype html><html><body style="font-family:sans-serif"><p>{{text}}</p></body></html>`,
);

function prefixed(prefix: string | undefined, subject: string): string {
  return prefix ? `${prefix} ${subject}` : subject;
}

/** The findings of a report as CSV rows, one per finding, its group in `change`. */
export function reportCsv(report: Report): string {
  const rows: Array<Array<string | number>> = [];
  for (const [group] of GROUPS) {
    for (const f of report.findings[group]) {
      rows.push([
        group,
        f.rule_id,
        f.key,
        f.severity,
        f.message,
        f.fingerprint,
        f.first_seen_at,
        f.occurrences,
      ]);
    }
  }
  return toCsv(CSV_HEADER, rows);
}

export function renderReportEmail(
  report: Report,
  subjectPrefix?: string,
): RenderedEmail {
  const groups = GROUPS.map(([key, title]) => {
    const all: ReportFinding[] = report.findings[key];
    return {
      title,
      count: report.summary[key],
      shown: all.slice(0, EMAIL_BODY_MAX_FINDINGS),
      more: report.summary[key] - Math.min(all.length, EMAIL_BODY_MAX_FINDINGS),
    };
  });
  const context = {
    project: report.project,
    execution: report.execution,
    groups,
  };
  const s = report.summary;
  const changed = REPORT_TRANSITION_GROUPS.filter((g) => s[g] > 0).map(
    (g) => `${s[g]} ${g}`,
  );
  return {
    subject: prefixed(
      subjectPrefix,
      `Vigil: ${report.project.name}: ${[...changed, `${s.still_open} still open`].join(", ")} (${report.execution.status})`,
    ),
    text: TEXT(context),
    html: HTML(context),
    attachments: [
      {
        filename: `vigil-${report.project.id}-execution-${report.execution.id}.csv`,
        content: reportCsv(report),
        contentType: "text/csv; charset=utf-8",
      },
    ],
  };
}

export function renderAlertEmail(
  text: string,
  subjectPrefix?: string,
): RenderedEmail {
  const firstLine = text.split("\n", 1)[0] ?? text;
  return {
    subject: prefixed(
      subjectPrefix,
      firstLine.length > 150 ? `${firstLine.slice(0, 150)}…` : firstLine,
    ),
    text,
    html: ALERT_HTML({ text }),
    attachments: [],
  };
}

/**
 * An outbox payload as an email: a report (ReportSchema) with its findings as CSV, or any
 * `{ text }` body (alerts, test messages). Anything else is a payload no retry can render.
 */
export function renderEmail(
  payload: unknown,
  subjectPrefix?: string,
): { ok: true; email: RenderedEmail } | { ok: false; error: string } {
  const report = ReportSchema.safeParse(payload);
  if (report.success) {
    return { ok: true, email: renderReportEmail(report.data, subjectPrefix) };
  }
  if (
    typeof payload === "object" &&
    payload !== null &&
    "text" in payload &&
    typeof payload.text === "string"
  ) {
    return { ok: true, email: renderAlertEmail(payload.text, subjectPrefix) };
  }
  return {
    ok: false,
    error: "the payload is neither a report nor a { text } message",
  };
}
