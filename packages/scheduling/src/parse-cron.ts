import { CronExpressionParser } from "cron-parser";

import { checkCronSyntax } from "./cron-syntax.js";
import { buildNextTable, canEverFire, type CronSpec } from "./cron-spec.js";
import { createLruCache } from "./lru-cache.js";

export type ParsedCron =
  { ok: true; fields: 5 | 6; spec: CronSpec } | { ok: false; message: string };

/** 10,000 distinct expressions is far above what a fleet uses; each entry is ~1 KB. */
const cache = createLruCache<string, ParsedCron>(10_000);

/**
 * Parses and compiles an expression, cached by its text. Our own syntax check runs first
 * (precise messages); cron-parser then expands the fields; a last check rejects
 * expressions that can never fire.
 */
export function parseCron(expr: string): ParsedCron {
  const cached = cache.get(expr);
  if (cached !== undefined) {
    return cached;
  }
  const parsed = compileCron(expr);
  cache.set(expr, parsed);
  return parsed;
}

function compileCron(expr: string): ParsedCron {
  const syntax = checkCronSyntax(expr);
  if (!syntax.ok) {
    return syntax;
  }
  const six = syntax.sixFields;
  let expanded;
  try {
    expanded = expandFields(six);
  } catch (raw) {
    const message = raw instanceof Error ? raw.message : String(raw);
    if (message.includes("Invalid explicit day of month definition")) {
      return neverFires(six);
    }
    return {
      ok: false,
      message: `cron expression "${expr}" is not supported: ${message}`,
    };
  }
  const numbers = (values: readonly (number | string)[]) =>
    values.filter((v): v is number => typeof v === "number");
  const dowValues = expanded.dayOfWeek.values as readonly (number | string)[];
  const spec: CronSpec = {
    nextSecond: buildNextTable(numbers(expanded.second.values), 60),
    nextMinute: buildNextTable(numbers(expanded.minute.values), 60),
    nextHour: buildNextTable(numbers(expanded.hour.values), 24),
    months: toFlags(numbers(expanded.month.values), 13),
    domRestricted: !expanded.dayOfMonth.isWildcard,
    dowRestricted: !expanded.dayOfWeek.isWildcard,
    dom: toFlags(numbers(expanded.dayOfMonth.values), 32),
    domLast: expanded.dayOfMonth.values.includes("L"),
    dow: toFlags(
      numbers(dowValues).map((d) => d % 7),
      7,
    ),
    dowLast: toFlags(
      dowValues
        .filter((v): v is string => typeof v === "string" && v.endsWith("L"))
        .map((v) => Number.parseInt(v, 10) % 7),
      7,
    ),
    nth: expanded.dayOfWeek.nthDay,
    fixedTime: /^\d+(,\d+)*$/.test(six[2]),
  };
  if (!canEverFire(spec)) {
    return neverFires(six);
  }
  return { ok: true, fields: syntax.fields, spec };
}

const FIELD_KEYS = [
  "second",
  "minute",
  "hour",
  "dayOfMonth",
  "month",
  "dayOfWeek",
] as const;

/**
 * cron-parser refuses a list whose items overlap ("duplicate values found"), which makes
 * `0,7` and `SUN,7` (both Sunday) or `1-3,2-4` unusable although each item is valid. Such a
 * list is rewritten as the union of its items' values, each item expanded on its own;
 * lists without overlaps go through unchanged, so their wildcard flags stay as they were.
 */
function expandFields(six: readonly string[]) {
  try {
    return CronExpressionParser.parse(six.join(" ")).fields;
  } catch (raw) {
    if (!(raw instanceof Error) || !raw.message.includes("duplicate values")) {
      throw raw;
    }
  }
  const merged = six.map((field, i) =>
    field.includes(",") ? unionOfItems(six, i) : field,
  );
  return CronExpressionParser.parse(merged.join(" ")).fields;
}

function unionOfItems(six: readonly string[], index: number): string {
  const key = FIELD_KEYS[index] as (typeof FIELD_KEYS)[number];
  const values = new Set<string>();
  for (const item of (six[index] as string).split(",")) {
    const alone = six.map((f, i) => (i === index ? item : "*"));
    for (const v of CronExpressionParser.parse(alone.join(" ")).fields[key]
      .values as readonly (number | string)[]) {
      values.add(
        key === "dayOfWeek" && typeof v === "number"
          ? String(v % 7)
          : String(v),
      );
    }
  }
  return [...values].join(",");
}

function toFlags(values: readonly number[], size: number): boolean[] {
  const flags = new Array<boolean>(size).fill(false);
  for (const v of values) {
    flags[v] = true;
  }
  return flags;
}

function neverFires(six: readonly string[]): ParsedCron {
  return {
    ok: false,
    message: `day-of-month field: "${six[3]}" never occurs in month field "${six[4]}" (with day-of-week "${six[5]}"); the expression can never fire`,
  };
}
