import type { ProjectInput } from "@vigil/contracts";

/** The env var the demo's data source reads its URL from; `vigil start` sets it for the executor. */
export const DEMO_DB_URL_ENV = "VIGIL_SECRET_DEMO_DB_URL";

const ORDERS_QUERY = `
select o.order_id, o.customer, o.total::text as total, o.created_at,
       coalesce(json_agg(json_build_object('ref', p.provider_ref, 'amount', p.amount::text))
                filter (where p.payment_id is not null), '[]') as payments
from demo.orders o
left join demo.payments p on p.order_id = o.order_id
where o.created_at >= :start and o.created_at < :end
group by o.order_id
order by o.order_id`;

const AMOUNT_MISMATCH = `// Each order's payments (one per provider reference) must add up to its total.
export function detect(rows, params) {
  const findings = [];
  for (const order of rows) {
    if (order.payments.length === 0) continue;
    const byRef = new Map(order.payments.map((p) => [p.ref, Number(p.amount)]));
    const paid = [...byRef.values()].reduce((a, b) => a + b, 0);
    const total = Number(order.total);
    if (Math.abs(paid - total) > params.tolerance) {
      findings.push({
        key: order.order_id,
        message: \`order \${order.order_id} totals \${total.toFixed(2)} but was paid \${paid.toFixed(2)}\`,
        data: { total, paid, difference: Number((paid - total).toFixed(2)) },
      });
    }
  }
  return findings;
}
`;

const MISSING_PAYMENT = `// An order with no payment at all.
export function detect(rows) {
  return rows
    .filter((order) => order.payments.length === 0)
    .map((order) => ({ key: order.order_id, message: \`order \${order.order_id} (\${order.total}) has no payment\` }));
}
`;

const DUPLICATE_PAYMENT = `// The same provider reference recorded twice for one order: the customer was charged twice.
export function detect(rows) {
  const findings = [];
  for (const order of rows) {
    const seen = new Map();
    for (const p of order.payments) seen.set(p.ref, (seen.get(p.ref) ?? 0) + 1);
    for (const [ref, count] of seen) {
      if (count > 1) {
        findings.push({ key: \`\${order.order_id}:\${ref}\`, row_key: order.order_id, message: \`payment \${ref} recorded \${count} times for order \${order.order_id}\`, data: { ref, count } });
      }
    }
  }
  return findings;
}
`;

/** `demo-orders`: reconciles the demo's orders against payments every 15 seconds. */
export const DEMO_PROJECT: ProjectInput = {
  id: "demo-orders",
  name: "Demo: orders vs payments",
  description:
    "Seeded by `npm start`: a small orders and payments table with four planted discrepancies.",
  is_active: true,
  config: {
    data_source: {
      type: "sql",
      driver: "postgres",
      url_env: DEMO_DB_URL_ENV,
      query: ORDERS_QUERY.trim(),
      params: {},
      timeout_seconds: 30,
      max_rows: 100_000,
      // a run is evidence about exactly the orders it read: one outside the window is never "resolved"
      key: "order_id",
    },
    lookback: "P1D",
    timeout_seconds: 60,
    memory_mb: 256,
    max_attempts: 2,
    max_concurrency: 1,
    max_findings_per_rule: 10_000,
    report: { mode: "none" },
  },
  schedules: [
    {
      cron_expression: "*/15 * * * * *",
      timezone: "UTC",
      concurrency_policy: "forbid",
      misfire_policy: "skip",
      starting_deadline_seconds: 60,
      is_active: true,
    },
  ],
  rules: [
    {
      rule_id: "amount-mismatch",
      definition_id: "v1",
      description: "Payments do not add up to the order total",
      category: "reconciliation",
      severity: "high",
      logic: "sum of unique payments != total, beyond a tolerance",
      code: AMOUNT_MISMATCH,
      explanation: "",
      parameters: { tolerance: 0.01 },
      dependencies: [],
      is_active: true,
    },
    {
      rule_id: "missing-payment",
      definition_id: "v1",
      description: "Order without any payment",
      category: "reconciliation",
      severity: "medium",
      logic: "no payment rows for the order",
      code: MISSING_PAYMENT,
      explanation: "",
      parameters: {},
      dependencies: [],
      is_active: true,
    },
    {
      rule_id: "duplicate-payment",
      definition_id: "v1",
      description: "Same provider reference recorded twice",
      category: "reconciliation",
      severity: "critical",
      logic: "provider_ref appears more than once for an order",
      code: DUPLICATE_PAYMENT,
      explanation: "",
      parameters: {},
      dependencies: [],
      is_active: true,
    },
  ],
};
