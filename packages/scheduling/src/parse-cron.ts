import { CronExpressionParser } from "cron-parser";

import { checkCronSyntax } from "./cron-syntax.js";
import { buildNextTable, canEverFire, type CronSpec } from "./cron-spec.js";
import { splitDayItems } from "./day-items.js";
import type { DayRules } from "./day-rules.js";
import { createLruCache } from "./lru-cache.js";

export type ParsedCron =
  { ok: true; fields: 5 | 6; spec: CronSpec } | { ok: false; message: string };

/** 10,000 distinct expressions is far above what a fleet uses; each entry is ~1 KB. */
const cache = createLruCache<string, ParsedCron>(10_000);

/**
 * Parses and compiles an expression, cached by its text. Our own syntax check runs first
 * (precise messages); cron-parser then expands the plain items (values, ranges, steps,
 * names); the day modifiers (`L`, `L-n`, `W`, `LW`, `#`, `#L`) are compiled here from
 * day-items.ts; a last check rejects expressions that can never fire.
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
  let dayItems;
  let expanded;
  try {
    dayItems = splitDayItems(six[3], six[5]);
    const plain = [...six];
    plain[3] = dayItems.domPlain ?? "*";
    plain[5] = dayItems.dowPlain ?? "*";
    expanded = expandFields(plain);
  } catch (raw) {
    // The syntax check above accepts only what day-items.ts and cron-parser handle; reaching
    // this is a bug in that check, and the message still must not be cron-parser's.
    return {
      ok: false,
      message: `cron expression "${expr}" could not be expanded: ${raw instanceof Error ? raw.name : "error"}`,
    };
  }
  const numbers = (values: readonly (number | string)[]) =>
    values.filter((v): v is number => typeof v === "number");
  const days: DayRules = {
    domRestricted: dayItems.domHasSpecials || !expanded.dayOfMonth.isWildcard,
    dowRestricted: dayItems.dowHasSpecials || !expanded.dayOfWeek.isWildcard,
    dom:
      dayItems.domPlain === null
        ? []
        : toFlags(numbers(expanded.dayOfMonth.values), 32),
    fromEnd: dayItems.fromEnd,
    nearestWeekday: dayItems.nearestWeekday,
    dow:
      dayItems.dowPlain === null
        ? []
        : toFlags(
            numbers(expanded.dayOfWeek.values).map((d) => d % 7),
            7,
          ),
    dowOccurrences: dayItems.dowOccurrences,
  };
  const spec: CronSpec = {
    nextSecond: buildNextTable(numbers(expanded.second.values), 60),
    nextMinute: buildNextTable(numbers(expanded.minute.values), 60),
    nextHour: buildNextTable(numbers(expanded.hour.values), 24),
    months: toFlags(numbers(expanded.month.values), 13),
    days,
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

type FieldKey = (typeof FIELD_KEYS)[number];

interface ExpandedField {
  values: readonly (number | string)[];
  isWildcard: boolean;
}

/**
 * Each field is expanded on its own (the others `*`), so cron-parser's cross-field check
 * ("Invalid explicit day of month definition") never sees a day that only the modifiers
 * compiled here make reachable; canEverFire decides impossibility for the whole expression.
 */
function expandFields(six: readonly string[]): Record<FieldKey, ExpandedField> {
  const fields = {} as Record<FieldKey, ExpandedField>;
  FIELD_KEYS.forEach((key, index) => {
    fields[key] = expandField(six[index] as string, index);
  });
  return fields;
}

/**
 * cron-parser refuses a list whose items overlap ("duplicate values found"), which makes
 * `0,7` and `SUN,7` (both Sunday) or `1-3,2-4` unusable although each item is valid. Such a
 * list is rewritten as the union of its items' values, each item expanded on its own;
 * lists without overlaps go through unchanged, so their wildcard flags stay as they were.
 */
function expandField(field: string, index: number): ExpandedField {
  try {
    return parseAlone(field, index);
  } catch (raw) {
    if (!(raw instanceof Error) || !raw.message.includes("duplicate values")) {
      throw raw;
    }
  }
  const key = FIELD_KEYS[index] as FieldKey;
  const values = new Set<string>();
  for (const item of field.split(",")) {
    for (const v of parseAlone(item, index).values) {
      values.add(
        key === "dayOfWeek" && typeof v === "number"
          ? String(v % 7)
          : String(v),
      );
    }
  }
  return parseAlone([...values].join(","), index);
}

function parseAlone(field: string, index: number): ExpandedField {
  const six = FIELD_KEYS.map((_, i) => (i === index ? field : "*"));
  const key = FIELD_KEYS[index] as FieldKey;
  const expanded = CronExpressionParser.parse(six.join(" ")).fields[key];
  return {
    values: expanded.values,
    isWildcard: expanded.isWildcard,
  };
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
