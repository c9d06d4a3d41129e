// The one function both sides apply: the floor calls it per row, the rule per row of `rows`.
export function flag(row, tolerance) {
  return Math.abs(row.total - row.paid) > tolerance
    ? {
        key: String(row.id),
        message: `payment ${row.id} paid ${row.paid} of ${row.total}`,
      }
    : undefined;
}
