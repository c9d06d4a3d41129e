// graphile-worker 0.17 doing a herd run's work, in a process of its own so its CPU can be read
// from /proc: each `herd` job reads its project's 50 rows, spawns `node` on the rule and writes
// an execution and its findings in one transaction. Prints "ready" once it is taking jobs.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

import { Logger, run } from "graphile-worker";
import pg from "pg";

const RUNNER = fileURLToPath(
  new URL("./graphile-rule-runner.mjs", import.meta.url),
);
const concurrency = Number(process.env.HERD_CONCURRENCY ?? "2");
const pgPool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: concurrency + 2,
});
pgPool.on("error", () => undefined);
pgPool.on("connect", (client) => client.on("error", () => undefined));

function runRule(rows) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUNNER], {
      env: { NODE_ENV: "production", TZ: "UTC" },
      stdio: ["pipe", "pipe", "inherit"],
    });
    const out = [];
    child.stdout.on("data", (c) => out.push(c));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) {
        reject(new Error(`rule runner exited with ${code}`));
        return;
      }
      resolve(JSON.parse(Buffer.concat(out).toString("utf8")));
    });
    child.stdin.end(JSON.stringify({ rows, params: { tolerance: 0.5 } }));
  });
}

const runner = await run({
  pgPool,
  concurrency,
  noHandleSignals: true,
  logger: new Logger(() => () => undefined),
  taskList: {
    herd: async (payload, helpers) => {
      const startedAt = new Date();
      const { rows } = await pgPool.query(
        "SELECT id, total, paid FROM herd_orders WHERE project_id = $1 ORDER BY id",
        [payload.project],
      );
      const findings = await runRule(rows);
      const client = await pgPool.connect();
      try {
        await client.query("BEGIN");
        const { rows: inserted } = await client.query(
          "INSERT INTO herd_executions (project_id, job_id, started_at, finding_count) VALUES ($1, $2, $3, $4) RETURNING id",
          [payload.project, helpers.job.id, startedAt, findings.length],
        );
        await client.query(
          "INSERT INTO herd_findings (execution_id, key, message) SELECT $1, k, m FROM unnest($2::text[], $3::text[]) AS f (k, m)",
          [
            inserted[0].id,
            findings.map((f) => f.key),
            findings.map((f) => f.message),
          ],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
  },
});

process.on("SIGTERM", () => {
  void runner
    .stop()
    .then(() => pgPool.end())
    .then(() => process.exit(0));
});
process.stdout.write("ready\n");
