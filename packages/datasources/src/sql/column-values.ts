/**
 * How database values become JSON for rule code, shared by both drivers so a rule
 * sees the same shapes whichever database the rows came from:
 * - exact numerics (bigint, numeric/decimal) are numbers when that loses nothing
 *   (at most 15 significant digits), otherwise their exact decimal text;
 * - dates stay `YYYY-MM-DD` text (no time zone to invent);
 * - timestamps without a zone are read as UTC and written as ISO strings.
 */
export function parseExactNumber(text: string): number | string {
  // at most 15 characters hold at most 15 digits: the common case skips counting them
  if (text.length <= 15) {
    const value = Number(text);
    return Number.isFinite(value) ? value : text;
  }
  const digits = text.replace(/^[-+]/, "").replace(".", "").replace(/^0+/, "");
  const value = Number(text);
  return digits.length <= 15 && Number.isFinite(value) ? value : text;
}

export function parseUtcTimestamp(text: string): string {
  const date = new Date(`${text.replace(" ", "T")}Z`);
  return Number.isNaN(date.getTime()) ? text : date.toISOString();
}
