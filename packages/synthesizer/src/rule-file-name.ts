/**
 * A file name for rule number `index` (0-based) that is safe whatever the rule id holds:
 * `rules/01-amount-mismatch.mjs`. The number keeps names unique; the slug is only for humans.
 */
export function ruleFileName(index: number, ruleId: string): string {
  const slug = ruleId
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48)
    .replace(/-+$/, "");
  return `rules/${String(index + 1).padStart(2, "0")}-${slug === "" ? "rule" : slug}.mjs`;
}
