import type { ColumnType, Generated } from "kysely";

/** A timestamptz column: read as Date, written as Date or an ISO string. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A nullable timestamptz column. */
export type NullableTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>;
/** A column with a database default: optional on insert. */
export type WithDefault<T> = ColumnType<T, T | undefined, T>;
/** A timestamptz column the database fills by default. */
export type CreatedAt = ColumnType<
  Date,
  Date | string | undefined,
  Date | string
>;
/** A nullable column: optional on insert. */
export type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;
/** bigint identity; the pool parses int8 as a JS number (ids stay far below 2^53). */
export type Id = Generated<number>;

export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
/** A jsonb column: read as parsed JSON, written as a JSON string (see `toJson`). */
export type Json<T = JsonValue> = ColumnType<T, string, string>;
export type JsonWithDefault<T = JsonValue> = ColumnType<
  T,
  string | undefined,
  string
>;
export type NullableJson<T = JsonValue> = ColumnType<
  T | null,
  string | null | undefined,
  string | null
>;

export type Severity = "info" | "low" | "medium" | "high" | "critical";
export const SEVERITIES: readonly Severity[] = [
  "info",
  "low",
  "medium",
  "high",
  "critical",
];

/** Serializes a value for a jsonb column (pg would send arrays as Postgres arrays). */
export function toJson(value: unknown): string {
  return JSON.stringify(value);
}
