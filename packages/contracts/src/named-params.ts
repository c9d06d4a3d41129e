export type SqlDialect = "postgres" | "mysql";

export type PositionalQuery =
  | { ok: true; text: string; values: unknown[] }
  | { ok: false; message: string };

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;

/** Index just past a quoted run that started at `start` (the opening quote). */
function skipQuoted(
  sql: string,
  start: number,
  quote: string,
  backslashEscapes: boolean,
): number {
  let i = start + 1;
  while (i < sql.length) {
    const ch = sql[i];
    if (backslashEscapes && ch === "\\") {
      i += 2;
    } else if (ch === quote) {
      if (sql[i + 1] === quote) {
        i += 2; // doubled quote is an escaped quote
      } else {
        return i + 1;
      }
    } else {
      i += 1;
    }
  }
  return sql.length;
}

/** Index just past a block comment; PostgreSQL nests them, MySQL does not. */
function skipBlockComment(sql: string, start: number, nested: boolean): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql.startsWith("/*", i)) {
      depth = nested ? depth + 1 : 1;
      i += 2;
    } else if (sql.startsWith("*/", i)) {
      depth -= 1;
      i += 2;
      if (depth === 0) {
        return i;
      }
    } else {
      i += 1;
    }
  }
  return sql.length;
}

/** Index just past a PostgreSQL dollar-quoted string ($$...$$ or $tag$...$tag$), or -1 if none starts here. */
function skipDollarQuoted(sql: string, start: number): number {
  const match = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(
    sql.slice(start, start + 64),
  );
  if (match === null || (start > 0 && IDENT_PART.test(sql[start - 1] ?? ""))) {
    return -1;
  }
  const end = sql.indexOf(match[0], start + match[0].length);
  return end === -1 ? sql.length : end + match[0].length;
}

/** Length of the span at `i` that can never hold a parameter (string, identifier, comment), or 0. */
function skippableSpan(sql: string, i: number, dialect: SqlDialect): number {
  const ch = sql[i];
  const pg = dialect === "postgres";
  if (ch === "'") {
    // PostgreSQL: backslash escapes only in E'...'; MySQL: by default always.
    const escaped = pg
      ? /[eE]/.test(sql[i - 1] ?? "") && !IDENT_PART.test(sql[i - 2] ?? "")
      : true;
    return skipQuoted(sql, i, "'", escaped) - i;
  }
  if (ch === '"') {
    return skipQuoted(sql, i, '"', !pg) - i;
  }
  if (ch === "`" && !pg) {
    return skipQuoted(sql, i, "`", false) - i;
  }
  if (sql.startsWith("--", i) || (ch === "#" && !pg)) {
    const end = sql.indexOf("\n", i);
    return (end === -1 ? sql.length : end) - i;
  }
  if (sql.startsWith("/*", i)) {
    return skipBlockComment(sql, i, pg) - i;
  }
  if (ch === "$" && pg) {
    const end = skipDollarQuoted(sql, i);
    return end === -1 ? 0 : end - i;
  }
  return 0;
}

/**
 * Rewrites `:name` parameters into the driver's positional parameters
 * (`$1` for PostgreSQL, `?` for MySQL) with their values in order.
 * Names inside string literals, quoted identifiers, comments and dollar quotes are left
 * alone, and so are PostgreSQL `::type` casts and MySQL `:=` assignments. A name
 * that `values` does not define is an error, so a typo never reaches the database as text.
 */
export function convertNamedParameters(
  sql: string,
  values: Record<string, unknown>,
  dialect: SqlDialect,
): PositionalQuery {
  let text = "";
  const positional: unknown[] = [];
  const indexOf = new Map<string, number>();
  let i = 0;
  while (i < sql.length) {
    const span = skippableSpan(sql, i, dialect);
    if (span > 0) {
      text += sql.slice(i, i + span);
      i += span;
      continue;
    }
    const ch = sql[i] ?? "";
    if (ch === ":" && sql[i + 1] === ":") {
      text += "::";
      i += 2;
      continue;
    }
    if (
      ch === ":" &&
      IDENT_START.test(sql[i + 1] ?? "") &&
      !IDENT_PART.test(sql[i - 1] ?? "")
    ) {
      let end = i + 1;
      while (end < sql.length && IDENT_PART.test(sql[end] ?? "")) {
        end += 1;
      }
      const name = sql.slice(i + 1, end);
      if (!Object.hasOwn(values, name)) {
        return {
          ok: false,
          message: `the query uses :${name} but no parameter of that name is defined (params has: ${Object.keys(values).join(", ") || "nothing"})`,
        };
      }
      if (dialect === "mysql") {
        positional.push(values[name]);
        text += "?";
      } else {
        let index = indexOf.get(name);
        if (index === undefined) {
          positional.push(values[name]);
          index = positional.length;
          indexOf.set(name, index);
        }
        text += `$${index}`;
      }
      i = end;
      continue;
    }
    text += ch;
    i += 1;
  }
  return { ok: true, text, values: positional };
}
