// The one rule both sides run: an amount mismatch over 50 orders, 5 findings.
export function detect(rows, params) {
  return rows
    .filter((r) => Math.abs(r.total - r.paid) > params.tolerance)
    .map((r) => ({ key: r.id, message: "order " + r.id + " paid " + r.paid }));
}
