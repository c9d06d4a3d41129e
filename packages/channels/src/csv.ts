/**
 * RFC 4180 CSV writer: every field quoted when it holds a comma, quote, CR or LF (quotes
 * doubled), CRLF line ends. A field starting with = + - @ or a tab is prefixed with `'`, so a
 * finding message cannot run as a formula when the attachment is opened in a spreadsheet.
 */
export function toCsv(
  header: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number | null>>,
): string {
  const lines = [header, ...rows].map((row) => row.map(field).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

function field(value: string | number | null): string {
  if (value === null) {
    return "";
  }
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t]/.test(text)) {
    text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
