import { AppError } from "./app-error.js";

/**
 * Opaque keyset cursors: base64url of `<kind>:<key>`. Opaque so clients do not build
 * them, typed by kind so a project cursor is refused by the executions list.
 */
export function encodeCursor(
  kind: "a" | "e" | "p" | "r",
  key: string | number,
): string {
  return Buffer.from(`${kind}:${key}`, "utf8").toString("base64url");
}

export function decodeCursor(
  kind: "a" | "e" | "p" | "r",
  cursor: string,
): string {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  if (!text.startsWith(`${kind}:`)) {
    throw new AppError(
      "invalid_query",
      "invalid query string: cursor: not a cursor of this list",
      [{ path: "cursor", message: "not a cursor of this list" }],
    );
  }
  return text.slice(2);
}

/** The id inside an id-keyed cursor: executions ("e", the default), audit events ("a"), runs ("r"). */
export function decodeIdCursor(
  cursor: string,
  kind: "a" | "e" | "r" = "e",
): number {
  const key = decodeCursor(kind, cursor);
  if (!/^[1-9]\d{0,14}$/.test(key)) {
    throw new AppError(
      "invalid_query",
      "invalid query string: cursor: not a cursor of this list",
      [{ path: "cursor", message: "not a cursor of this list" }],
    );
  }
  return Number(key);
}
