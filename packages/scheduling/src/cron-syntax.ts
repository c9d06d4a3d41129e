/**
 * Field-by-field syntax check of a cron expression, written so that every rejection says
 * which field, which value and what is allowed. cron-parser's own messages ("Invalid
 * characters, got value: a") name neither the field nor the rule, and it silently accepts
 * `""` as "every minute", so nothing reaches it before passing this check.
 */

export type FieldName =
  "second" | "minute" | "hour" | "day-of-month" | "month" | "day-of-week";

interface FieldRule {
  name: FieldName;
  min: number;
  max: number;
  names?: readonly string[];
  namesHint?: string;
}

const MONTH_NAMES = [
  "JAN",
  "FEB",
  "MAR",
  "APR",
  "MAY",
  "JUN",
  "JUL",
  "AUG",
  "SEP",
  "OCT",
  "NOV",
  "DEC",
];
const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const RULES: readonly FieldRule[] = [
  { name: "second", min: 0, max: 59 },
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTH_NAMES, namesHint: "JAN-DEC" },
  {
    name: "day-of-week",
    min: 0,
    max: 7,
    names: DAY_NAMES,
    namesHint: "SUN-SAT",
  },
];

/** The standard macros; cron-parser's extras (@weekdays, @minutely, ...) are not part of the contract. */
export const CRON_MACROS: Readonly<Record<string, string>> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** Longer than any sensible schedule; bounds the work done on hostile input. */
const MAX_EXPRESSION_LENGTH = 256;

export type CronSyntax =
  | {
      ok: true;
      fields: 5 | 6;
      sixFields: [string, string, string, string, string, string];
    }
  | { ok: false; message: string };

/** Splits, expands macros and checks every field; returns the six raw fields (seconds first). */
export function checkCronSyntax(expr: string): CronSyntax {
  if (typeof expr !== "string") {
    return { ok: false, message: "cron expression must be a string" };
  }
  const trimmed = expr.trim();
  if (trimmed === "") {
    return { ok: false, message: "cron expression is empty" };
  }
  if (trimmed.length > MAX_EXPRESSION_LENGTH) {
    return {
      ok: false,
      message: `cron expression is longer than ${MAX_EXPRESSION_LENGTH} characters`,
    };
  }
  if (trimmed.startsWith("@")) {
    return expandMacro(trimmed);
  }
  const parts = trimmed.split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) {
    return {
      ok: false,
      message: `expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got ${parts.length}`,
    };
  }
  const six = parts.length === 6 ? parts : ["0", ...parts];
  for (let i = 0; i < 6; i++) {
    const rule = RULES[i] as FieldRule;
    const error = checkField(rule, six[i] as string);
    if (error !== null) {
      return { ok: false, message: `${rule.name} field: ${error}` };
    }
  }
  return {
    ok: true,
    fields: parts.length,
    sixFields: six as [string, string, string, string, string, string],
  };
}

function expandMacro(macro: string): CronSyntax {
  const expansion = CRON_MACROS[macro.toLowerCase()];
  if (expansion === undefined) {
    return {
      ok: false,
      message: `unknown macro "${macro}"; allowed: ${Object.keys(CRON_MACROS).join(" ")}`,
    };
  }
  return {
    ok: true,
    fields: 5,
    sixFields: ["0", ...expansion.split(" ")] as [
      string,
      string,
      string,
      string,
      string,
      string,
    ],
  };
}

function checkField(rule: FieldRule, field: string): string | null {
  if (rule.name === "day-of-month" && /W/i.test(field)) {
    return `"${field}": W (nearest weekday) is not supported`;
  }
  if (/H/.test(field) && !rule.names) {
    return `"${field}": H (hashed values) is not supported`;
  }
  const items = field.split(",");
  if (rule.name === "day-of-week" && items.length > 1 && field.includes("#")) {
    return `"${field}": an n#k item (k-th weekday of the month) cannot be combined with other items`;
  }
  for (const item of items) {
    if (item === "") {
      return `empty list item in "${field}"`;
    }
    const error = checkItem(rule, item);
    if (error !== null) {
      return error;
    }
  }
  return null;
}

function checkItem(rule: FieldRule, item: string): string | null {
  if (item === "?") {
    return rule.name === "day-of-month" || rule.name === "day-of-week"
      ? null
      : `"?" is only allowed in day-of-month and day-of-week`;
  }
  if (rule.name === "day-of-month" && item === "L") {
    return null;
  }
  if (rule.name === "day-of-month" && item.startsWith("L")) {
    return `"${item}" is not supported; only a bare "L" (last day of the month)`;
  }
  if (rule.name === "day-of-week") {
    const special = checkWeekdaySpecial(rule, item);
    if (special !== undefined) {
      return special;
    }
  }
  const [base, step, extra] = item.split("/");
  if (extra !== undefined) {
    return `"${item}" has more than one "/"`;
  }
  if (step !== undefined) {
    if (!/^\d+$/.test(step)) {
      return `step "${step}" in "${item}" must be a whole number`;
    }
    const span = rule.max - rule.min + 1;
    const n = Number(step);
    if (n < 1 || n > span) {
      return `step "${step}" in "${item}" is out of range 1-${span}`;
    }
  }
  if (base === "*") {
    return null;
  }
  const [from, to, more] = (base as string).split("-");
  if (more !== undefined || from === "" || to === "") {
    return `"${item}" is not a value, a range a-b or a step */n`;
  }
  const start = readValue(rule, from as string);
  if (typeof start === "string") {
    return start;
  }
  if (to === undefined) {
    return null;
  }
  const end = readValue(rule, to);
  if (typeof end === "string") {
    return end;
  }
  if (start > end && rule.name === "day-of-week" && end === 0) {
    return `range "${base}" goes backwards; Sunday ends a range as 7, e.g. "${from}-7"`;
  }
  if (start > end) {
    return `range "${base}" goes backwards; the start must not exceed the end`;
  }
  return null;
}

/** `nL` (last weekday n of the month) and `n#k` (k-th weekday n), as cron-parser supports them. */
function checkWeekdaySpecial(
  rule: FieldRule,
  item: string,
): string | null | undefined {
  if (item === "L") {
    return `a bare "L" is not allowed here; write "5L" for the last Friday`;
  }
  const last = /^(.+)L$/.exec(item);
  if (last) {
    const day = readValue(rule, last[1] as string);
    return typeof day === "string" ? day : null;
  }
  const nth = /^(.+)#(.*)$/.exec(item);
  if (nth) {
    const day = readValue(rule, nth[1] as string);
    if (typeof day === "string") {
      return day;
    }
    return /^[1-5]$/.test(nth[2] as string)
      ? null
      : `"${item}": the occurrence after "#" must be 1-5`;
  }
  return undefined;
}

function readValue(rule: FieldRule, text: string): number | string {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n < rule.min || n > rule.max) {
      return `"${text}" is out of range ${rule.min}-${rule.max}`;
    }
    return n;
  }
  if (rule.names) {
    const index = rule.names.indexOf(text.toUpperCase());
    if (index >= 0) {
      return index + rule.min;
    }
    return `"${text}" is not a number ${rule.min}-${rule.max} or a name ${rule.namesHint ?? ""}`.trimEnd();
  }
  return `"${text}" is not a number ${rule.min}-${rule.max}`;
}
