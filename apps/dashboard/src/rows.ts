export type RowFormat = "json" | "csv";

export type Parsed =
  { ok: true; rows: Record<string, unknown>[] } | { ok: false; error: string };

/**
 * Pasted rows for a dry run: a JSON array of objects, or CSV with a header line (RFC 4180
 * quoting; every value stays a string, as a database driver hands text columns to a rule).
 */
export function parseRows(text: string, format: RowFormat): Parsed {
  return format === "json" ? parseJson(text) : parseCsv(text);
}

function parseJson(text: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not JSON: ${(err as Error).message}` };
  }
  if (!Array.isArray(value)) {
    return { ok: false, error: "JSON rows must be an array of objects" };
  }
  const bad = value.findIndex(
    (r) => typeof r !== "object" || r === null || Array.isArray(r),
  );
  if (bad !== -1) {
    return { ok: false, error: `row ${bad + 1} is not an object` };
  }
  return { ok: true, rows: value as Record<string, unknown>[] };
}

function parseCsv(text: string): Parsed {
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let quoted = false;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        if (c === "\n") {
          line++;
        }
        field += c;
      }
    } else if (c === '"' && field === "") {
      quoted = true;
    } else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") {
        i++;
      }
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      line++;
    } else {
      field += c;
    }
  }
  if (quoted) {
    return { ok: false, error: `line ${line}: a quoted value is not closed` };
  }
  if (field !== "" || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  const lines = records.filter((r) => !(r.length === 1 && r[0] === ""));
  const header = lines[0];
  if (header === undefined) {
    return { ok: false, error: "CSV needs a header line" };
  }
  const rows: Record<string, unknown>[] = [];
  for (let n = 1; n < lines.length; n++) {
    const r = lines[n]!;
    if (r.length !== header.length) {
      return {
        ok: false,
        error: `row ${n} has ${r.length} values, the header has ${header.length}`,
      };
    }
    rows.push(Object.fromEntries(header.map((h, i) => [h, r[i]])));
  }
  return { ok: true, rows };
}
