/**
 * Field-by-field syntax check of a cron expression, written so that every rejection says
 * which field, which value and what is allowed. cron-parser's own messages ("Invalid
 * characters, got value: a") name neither the field nor the rule, and it silently accepts
 * `""` as "every minute", so nothing reaches it before passing this check.
 */

import { FIELD_RULES, readValue, type FieldRule } from "./cron-fields.js";
import { readDayOfMonthSpecial } from "./day-of-month-items.js";
import { readDayOfWeekSpecial } from "./day-of-week-items.js";

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
  const parts = trimmed.split(/\s+/);
  if (trimmed.startsWith("@")) {
    const macro = parts[0] as string;
    return parts.length === 1 || CRON_MACROS[macro] === undefined
      ? expandMacro(macro)
      : {
          ok: false,
          message: `macro "${macro}" stands alone; it cannot be combined with fields ("${trimmed}")`,
        };
  }
  if (parts.length !== 5 && parts.length !== 6) {
    const year =
      parts.length === 7 ? "; a 7th (year) field is not supported" : "";
    return {
      ok: false,
      message: `expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got ${parts.length}${year}`,
    };
  }
  const six = parts.length === 6 ? parts : ["0", ...parts];
  for (let i = 0; i < 6; i++) {
    const rule = FIELD_RULES[i] as FieldRule;
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
  const expansion = CRON_MACROS[macro];
  if (expansion === undefined) {
    return { ok: false, message: unknownMacroMessage(macro) };
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

function unknownMacroMessage(macro: string): string {
  const allowed = `allowed: ${Object.keys(CRON_MACROS).join(" ")}`;
  const lower = macro.toLowerCase();
  if (CRON_MACROS[lower] !== undefined) {
    return `unknown macro "${macro}": macros are case-sensitive, write "${lower}"; ${allowed}`;
  }
  if (lower === "@reboot") {
    return `macro "${macro}" is not supported: a schedule fires at times of day, there is no startup to run at; ${allowed}`;
  }
  return `unknown macro "${macro}"; ${allowed}`;
}

function checkField(rule: FieldRule, field: string): string | null {
  if (/H/.test(field) && !rule.names) {
    return `"${field}": H (hashed values) is not supported`;
  }
  const items = field.split(",");
  for (const item of items) {
    if (item === "") {
      return `empty list item in "${field}"`;
    }
    const error = checkItem(rule, item);
    if (error !== null) {
      return error;
    }
  }
  if (
    rule.name === "day-of-month" &&
    items.length > 1 &&
    items.some((item) => /W$/.test(item))
  ) {
    return `"${field}": W (nearest weekday) takes a single day and cannot be combined with other items`;
  }
  return null;
}

function checkItem(rule: FieldRule, item: string): string | null {
  if (item === "?") {
    return rule.name === "day-of-month" || rule.name === "day-of-week"
      ? null
      : `"?" is only allowed in day-of-month and day-of-week`;
  }
  if (rule.name === "day-of-month") {
    const special = readDayOfMonthSpecial(item);
    if (special !== null) {
      return typeof special === "string" ? special : null;
    }
  }
  if (rule.name === "day-of-week") {
    const special = readDayOfWeekSpecial(item);
    if (special !== null) {
      return typeof special === "string" ? special : null;
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
