import type { RowKey } from "@vigil/contracts";

import { LoadAbort } from "./result.js";

/**
 * The key of every row a load wrote, read by trusted code from the rows themselves (never from
 * what a rule reports), so a run's record knows exactly which rows it had evidence about.
 */
export interface RowKeyCollector {
  /** Reads the key of each row; `firstRowNumber` is the 1-based number of rows[0] in the load. */
  add(rows: readonly unknown[], firstRowNumber: number): void;
  /** Distinct keys in first-seen order. */
  keys(): string[];
}

/** `data_source.key` as a list of fields: one field, or several joined with `|`. */
export function rowKeyFields(key: RowKey): string[] {
  return typeof key === "string" ? [key] : [...key];
}

/**
 * One field's value as key text: the same text a rule gets from `String(value)` for strings,
 * numbers and booleans (so `key: String(row.order_id)` matches), a bigint in decimal, a Date as
 * ISO 8601. Anything else (null, missing, an object) cannot identify a row.
 */
function keyPart(value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
      return value === "" ? undefined : value;
    case "number":
      return Number.isFinite(value) ? String(value) : undefined;
    case "bigint":
    case "boolean":
      return String(value);
    default:
      return value instanceof Date && !Number.isNaN(value.getTime())
        ? value.toISOString()
        : undefined;
  }
}

function describe(value: unknown): string {
  if (value === undefined) {
    return "no such field";
  }
  if (value === null) {
    return "null";
  }
  if (value === "") {
    return "an empty string";
  }
  if (Array.isArray(value)) {
    return "an array";
  }
  if (typeof value === "number" || typeof value === "bigint") {
    return String(value);
  }
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** The row's key text, or a LoadAbort naming the row and field that cannot be one. */
export function rowKeyOf(
  row: unknown,
  fields: readonly string[],
  rowNumber: number,
): string {
  if (row === null || typeof row !== "object" || Array.isArray(row)) {
    throw new LoadAbort(
      "config",
      `row ${rowNumber} is not an object, so data_source.key (${fields.join(", ")}) cannot identify it`,
    );
  }
  const parts: string[] = [];
  for (const field of fields) {
    const value = (row as Record<string, unknown>)[field];
    const part = keyPart(value);
    if (part === undefined) {
      throw new LoadAbort(
        "config",
        `row ${rowNumber} has no usable value for data_source.key field ${JSON.stringify(field)} (${describe(value)}); every row needs a string, number, boolean or timestamp there`,
      );
    }
    parts.push(part);
  }
  return parts.join("|");
}

export function createRowKeyCollector(key: RowKey): RowKeyCollector {
  const fields = rowKeyFields(key);
  const seen = new Set<string>();
  return {
    add(rows, firstRowNumber) {
      for (let i = 0; i < rows.length; i++) {
        seen.add(rowKeyOf(rows[i], fields, firstRowNumber + i));
      }
    },
    keys: () => [...seen],
  };
}
