import { sql } from "kysely";

import type { Db } from "../pool.js";

/**
 * The demo's own data: orders and payments in schema `demo`, with planted discrepancies.
 * Orders are 20 minutes to 18 hours old (re-aged on every start), inside the demo's one-day lookback.
 * Planted: 1007 and 1019 paid the wrong amount, 1012 was never paid, 1015 was paid twice
 * with the same provider reference. Everything else reconciles.
 */
export const DEMO_PLANTED = {
  amountMismatch: ["1007", "1019"],
  missingPayment: ["1012"],
  duplicatePayment: ["1015"],
} as const;

interface DemoOrder {
  id: string;
  total: string;
  payments: Array<{ ref: string; amount: string }>;
}

function demoOrders(): DemoOrder[] {
  const orders: DemoOrder[] = [];
  for (let n = 1001; n <= 1020; n++) {
    const id = String(n);
    const total = (19.5 + (n % 7) * 10.25).toFixed(2);
    orders.push({
      id,
      total,
      payments: [{ ref: `pay_${id}_a`, amount: total }],
    });
  }
  const byId = (id: string) => orders.find((o) => o.id === id)!;
  byId("1007").payments = [
    { ref: "pay_1007_a", amount: (Number(byId("1007").total) - 20).toFixed(2) },
  ];
  byId("1019").payments = [
    { ref: "pay_1019_a", amount: (Number(byId("1019").total) - 9).toFixed(2) },
  ];
  byId("1012").payments = [];
  byId("1015").payments = [
    byId("1015").payments[0]!,
    byId("1015").payments[0]!,
  ];
  return orders;
}

/** Creates schema `demo` with its tables and rows, once; later calls leave existing data alone. */
export async function seedDemoData(db: Db): Promise<{ created: boolean }> {
  return db.transaction().execute(async (trx) => {
    // one seeder at a time, even if two `vigil start` race on the same database
    await sql`select pg_advisory_xact_lock(73003)`.execute(trx);
    await sql`create schema if not exists demo`.execute(trx);
    await sql`create table if not exists demo.orders (
      order_id text primary key, customer text not null, total numeric(12,2) not null, created_at timestamptz not null)`.execute(
      trx,
    );
    await sql`create table if not exists demo.payments (
      payment_id bigint generated always as identity primary key, order_id text not null references demo.orders,
      provider_ref text not null, amount numeric(12,2) not null, paid_at timestamptz not null)`.execute(
      trx,
    );
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from demo.orders`.execute(trx);
    if ((rows[0]?.n ?? 0) > 0) {
      // keep an old demo inside its lookback window: make the newest order 20 minutes old again
      await sql`update demo.orders set created_at = created_at + (now() - interval '20 minutes' - (select max(created_at) from demo.orders))`.execute(
        trx,
      );
      return { created: false };
    }
    for (const [i, o] of demoOrders().entries()) {
      const minutesAgo = 20 + i * 55;
      await sql`insert into demo.orders (order_id, customer, total, created_at)
        values (${o.id}, ${`customer-${(i % 5) + 1}`}, ${o.total}, now() - make_interval(mins => ${minutesAgo}))`.execute(
        trx,
      );
      for (const p of o.payments) {
        await sql`insert into demo.payments (order_id, provider_ref, amount, paid_at)
          values (${o.id}, ${p.ref}, ${p.amount}, now() - make_interval(mins => ${minutesAgo - 5}))`.execute(
          trx,
        );
      }
    }
    return { created: true };
  });
}
