/** The one-rule detector every figure uses: an amount-mismatch rule over 100 rows, 10 findings. */
export const BENCH_RULE_CODE = `export function detect(rows, params) {
  return rows.filter((r) => Math.abs(r.total - r.paid) > params.tolerance)
             .map((r) => ({ key: r.id, message: "order " + r.id + " paid " + r.paid }));
}`;

export const BENCH_ROWS = Array.from({ length: 100 }, (_, i) => ({
  id: `o${i}`,
  total: 100 + i,
  paid: i % 10 === 0 ? 1 : 100 + i,
}));
