/**
 * The six cron fields (seconds first): their ranges and names, and reading one value
 * (a number or a name) of a field with a message that names the value and the range.
 */

export type FieldName =
  "second" | "minute" | "hour" | "day-of-month" | "month" | "day-of-week";

export interface FieldRule {
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

export const FIELD_RULES: readonly FieldRule[] = [
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

export const DAY_OF_WEEK_RULE = FIELD_RULES[5] as FieldRule;

/** The value, or a message; names are case-insensitive (OCPS 1.0 section 4.2). */
export function readValue(rule: FieldRule, text: string): number | string {
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
