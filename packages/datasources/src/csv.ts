/** Columns beyond this are refused: a CSV that wide is almost certainly not a dataset. */
export const MAX_CSV_COLUMNS = 1000;

export type CsvResult =
  | { ok: true; rows: Array<Record<string, string>> }
  | { ok: false; message: string };

/**
 * RFC 4180 CSV: a header row, then records; fields may be quoted ("a ""b"" c"), quoted
 * fields may hold commas and line breaks; CRLF or LF line ends; a UTF-8 BOM is skipped.
 * Values stay strings (no guessing of numbers or dates); rules convert what they need.
 */
export function parseCsv(text: string): CsvResult {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  /** Index of the current line's first character, for 1-based columns in errors. */
  let lineStart = 0;
  /** Where the open quoted field started, for the error message. */
  let quoteLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    record.push(field);
    field = "";
    if (!(record.length === 1 && record[0] === "")) {
      records.push(record);
    }
    record = [];
  };
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
        const after = text[i + 1];
        if (
          after !== undefined &&
          after !== "," &&
          after !== "\n" &&
          after !== "\r"
        ) {
          // "x"y would otherwise be read as xy, silently changing the value
          return {
            ok: false,
            message: `line ${line}, column ${i + 2 - lineStart}: text after the closing quote of a quoted field`,
          };
        }
      } else {
        if (c === "\n") {
          line++;
          lineStart = i + 1;
        }
        field += c;
      }
    } else if (c === '"') {
      if (field !== "") {
        return {
          ok: false,
          message: `line ${line}, column ${i + 1 - lineStart}: a quote inside an unquoted field`,
        };
      }
      quoted = true;
      quoteLine = line;
    } else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") {
        i++;
      }
      endRecord();
      line++;
      lineStart = i + 1;
    } else {
      field += c;
    }
  }
  if (quoted) {
    return {
      ok: false,
      message: `line ${quoteLine}: a quoted field is not closed`,
    };
  }
  if (field !== "" || record.length > 0) {
    endRecord();
  }
  return toObjects(records);
}

function toObjects(records: string[][]): CsvResult {
  const [header, ...body] = records;
  if (header === undefined) {
    return { ok: false, message: "the CSV is empty; expected a header row" };
  }
  if (header.length > MAX_CSV_COLUMNS) {
    return {
      ok: false,
      message: `the CSV has ${header.length} columns; at most ${MAX_CSV_COLUMNS} are accepted`,
    };
  }
  const names = new Set<string>();
  for (const name of header) {
    if (name.trim() === "" || names.has(name) || name === "__proto__") {
      return {
        ok: false,
        message: `header: column names must be non-empty and unique, got "${name}"`,
      };
    }
    names.add(name);
  }
  const rows: Array<Record<string, string>> = [];
  for (const [n, values] of body.entries()) {
    if (values.length !== header.length) {
      return {
        ok: false,
        message: `record ${n + 1}: ${values.length} fields, the header has ${header.length}`,
      };
    }
    rows.push(
      Object.fromEntries(header.map((name, c) => [name, values[c] ?? ""])),
    );
  }
  return { ok: true, rows };
}
