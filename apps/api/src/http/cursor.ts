import { AppError } from "./app-error.js";

/** audit events, executions, projects, runs, discrepancies, an execution's changes */
type CursorKind = "a" | "e" | "p" | "r" | "d" | "c";

/**
 * Opaque keyset cursors: base64url of `<kind>:<key>`. Opaque so clients do not build
 * them, typed by kind so a project cursor is refused by the executions list.
 */
export function encodeCursor(kind: CursorKind, key: string | number): string {
  return Buffer.from(`${kind}:${key}`, "utf8").toString("base64url");
}

/** The 400 of a cursor that this list did not hand out. */
export function invalidCursor(): AppError {
  return new AppError(
    "invalid_query",
    "invalid query string: cursor: not a cursor of this list",
    [{ path: "cursor", message: "not a cursor of this list" }],
  );
}

export function decodeCursor(kind: CursorKind, cursor: string): string {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  if (!text.startsWith(`${kind}:`)) {
    throw invalidCursor();
  }
  return text.slice(2);
}

/** The id inside an id-keyed cursor: executions ("e", the default), audit events ("a"), runs ("r"). */
export function decodeIdCursor(
  cursor: string,
  kind: "a" | "e" | "r" | "c" = "e",
): number {
  const key = decodeCursor(kind, cursor);
  if (!/^[1-9]\d{0,14}$/.test(key)) {
    throw invalidCursor();
  }
  return Number(key);
}

/**
 * One page of a keyset list read with `limit + 1` rows: the first `limit` rows, and the cursor
 * of the next page (made by `cursorOf` from the page's last row), null when this is the last.
 */
export function keysetPage<T>(
  rows: readonly T[],
  limit: number,
  cursorOf: (last: T) => string,
): { items: T[]; next_cursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    next_cursor:
      rows.length > limit && last !== undefined ? cursorOf(last) : null,
  };
}
