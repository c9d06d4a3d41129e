// The floor of bench/reconcile: a bare Node script that streams the query's rows with a
// server-side cursor (FETCH loop), applies the rule's function to each batch and inserts the
// findings, then prints {"ms":..,"maxRssMb":..,"findings":..} on stdout.
// Usage: node floor.mjs <database url> <query> <run label> <rule module path>
import { pathToFileURL } from "node:url";

import pg from "pg";

const [url, query, run, rulePath] = process.argv.slice(2);
const { flag } = await import(pathToFileURL(rulePath).href);
const started = performance.now();
const client = new pg.Client({ connectionString: url });
await client.connect();
await client.query("BEGIN READ ONLY");
await client.query(`DECLARE floor_rows NO SCROLL CURSOR FOR ${query}`);
const findings = [];
for (;;) {
  const { rows } = await client.query("FETCH FORWARD 1000 FROM floor_rows");
  for (const row of rows) {
    const finding = flag(row, 0.5);
    if (finding !== undefined) {
      findings.push(finding);
    }
  }
  if (rows.length < 1000) {
    break;
  }
}
await client.query("ROLLBACK");
await insertFindings(client, run, findings);
await client.end();
const ms = performance.now() - started;
process.stdout.write(
  JSON.stringify({
    ms,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    findings: findings.length,
  }) + "\n",
);

async function insertFindings(c, label, list) {
  for (let i = 0; i < list.length; i += 5000) {
    const batch = list.slice(i, i + 5000);
    await c.query(
      "INSERT INTO bench_findings (run, key, message) SELECT $1, * FROM unnest($2::text[], $3::text[])",
      [label, batch.map((f) => String(f.key)), batch.map((f) => f.message)],
    );
  }
}
