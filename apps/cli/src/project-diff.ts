import { isDeepStrictEqual } from "node:util";

import type { ProjectInput } from "@vigil/contracts";
import { scheduleKey, type readProjectAuditState } from "@vigil/db";

type StoredProject = NonNullable<
  Awaited<ReturnType<typeof readProjectAuditState>>
>;

/** One line of a plan: `+` created, `-` removed, `~` changed. */
export interface PlanLine {
  sign: "+" | "-" | "~";
  text: string;
}

const SETTINGS = ["name", "description", "is_active"] as const;
const RULE_FIELDS = [
  "definition_id",
  "description",
  "category",
  "severity",
  "logic",
  "code",
  "explanation",
  "parameters",
  "dependencies",
  "is_active",
] as const;

function describeSchedule(s: ProjectInput["schedules"][number]): string {
  const extra = [
    s.concurrency_policy,
    s.misfire_policy,
    s.starting_deadline_seconds === null
      ? null
      : `deadline ${s.starting_deadline_seconds}s`,
    s.is_active ? null : "paused",
  ].filter(Boolean);
  return `"${s.cron_expression}" ${s.timezone} (${extra.join(", ")})`;
}

/** The paths where two JSON values differ, dotted (`report.mode`), at most `limit` of them. */
function changedPaths(
  a: unknown,
  b: unknown,
  prefix = "",
  limit = 20,
): string[] {
  if (isDeepStrictEqual(a, b)) {
    return [];
  }
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObject(a) || !isObject(b)) {
    return [prefix || "(root)"];
  }
  const out: string[] = [];
  for (const key of [
    ...new Set([...Object.keys(a), ...Object.keys(b)]),
  ].sort()) {
    out.push(
      ...changedPaths(a[key], b[key], prefix ? `${prefix}.${key}` : key),
    );
    if (out.length >= limit) {
      break;
    }
  }
  return out.slice(0, limit);
}

function codeLines(code: string): Set<string> {
  return new Set(code.split("\n"));
}

/**
 * What `vigil apply` would do to one project, as plan lines: the project created, settings and
 * config paths changed, schedules added or removed (matched as apply matches them), rules
 * added, removed or changed field by field. Empty: applying changes nothing.
 */
export function diffProject(
  wanted: ProjectInput,
  stored: StoredProject | null,
): PlanLine[] {
  const id = wanted.id;
  if (stored === null) {
    return [
      { sign: "+", text: `project ${id}` },
      ...wanted.schedules.map((s) => ({
        sign: "+" as const,
        text: `${id}: schedule ${describeSchedule(s)}`,
      })),
      ...wanted.rules.map((r) => ({
        sign: "+" as const,
        text: `${id}: rule ${r.rule_id}`,
      })),
    ];
  }
  const lines: PlanLine[] = [];
  for (const field of SETTINGS) {
    if (!isDeepStrictEqual(wanted[field], stored.project[field])) {
      lines.push({
        sign: "~",
        text: `${id}: ${field}: ${JSON.stringify(stored.project[field])} -> ${JSON.stringify(wanted[field])}`,
      });
    }
  }
  for (const path of changedPaths(stored.project.config, wanted.config)) {
    lines.push({ sign: "~", text: `${id}: config.${path}` });
  }

  const unmatched = [...wanted.schedules];
  for (const s of stored.schedules) {
    const i = unmatched.findIndex((w) => scheduleKey(w) === scheduleKey(s));
    if (i >= 0) {
      unmatched.splice(i, 1);
    } else {
      lines.push({ sign: "-", text: `${id}: schedule ${describeSchedule(s)}` });
    }
  }
  for (const s of unmatched) {
    lines.push({ sign: "+", text: `${id}: schedule ${describeSchedule(s)}` });
  }

  const storedRules = new Map(stored.rules.map((r) => [r.rule_id, r]));
  for (const rule of wanted.rules) {
    const before = storedRules.get(rule.rule_id);
    storedRules.delete(rule.rule_id);
    if (before === undefined) {
      lines.push({ sign: "+", text: `${id}: rule ${rule.rule_id}` });
      continue;
    }
    for (const field of RULE_FIELDS) {
      if (isDeepStrictEqual(rule[field], before[field])) {
        continue;
      }
      if (field === "code") {
        const was = codeLines(before.code);
        const now = codeLines(rule.code);
        const added = [...now].filter((l) => !was.has(l)).length;
        const removed = [...was].filter((l) => !now.has(l)).length;
        lines.push({
          sign: "~",
          text: `${id}: rule ${rule.rule_id}: code (+${added} -${removed} lines)`,
        });
      } else {
        lines.push({
          sign: "~",
          text: `${id}: rule ${rule.rule_id}: ${field}: ${JSON.stringify(before[field])} -> ${JSON.stringify(rule[field])}`,
        });
      }
    }
  }
  for (const ruleId of storedRules.keys()) {
    lines.push({ sign: "-", text: `${id}: rule ${ruleId}` });
  }
  return lines;
}
