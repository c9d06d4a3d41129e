/**
 * bench/executor: the executor's dispatch loop (claim -> execution row -> record -> finish) with
 * the no-op runner, side by side with graphile-worker 0.17 on the same PostgreSQL in the same run,
 * and start latency on an idle pool. Prints a table and, last, `RESULT {json}`. See README.md.
 * Env: BENCH_JOBS (default 20000; concurrency 1 runs a quarter of it), DATABASE_URL (else embedded).
 */
import {
  DUE_PROJECT_COUNTS,
  measureClaimWithDueProjects,
} from "./claim-due-projects.js";
import { measureClaimScaling } from "./claim-scaling.js";
import {
  measureGraphileLatency,
  measureGraphileThroughput,
} from "./graphile.js";
import { percentile, startBenchPostgres } from "./postgres.js";
import { measureRescueLatency } from "./rescue.js";
import { measureVigilLatency, measureVigilThroughput } from "./vigil.js";

const log = (line: string) => console.error(`[bench/executor] ${line}`);
const JOBS = Number(process.env.BENCH_JOBS ?? 20_000);
const LATENCY_TRIGGERS = 200;
const LATENCY_SPREAD_MS = 10_000;
const RESCUE_ROUNDS = Number(process.env.BENCH_RESCUE_ROUNDS ?? 20);

const server = await startBenchPostgres(log);
let db = 0;
const fresh = () => server.createDatabase(`bench_executor_${++db}`);
const round = (n: number) => Math.round(n);

try {
  const throughput: Record<string, Record<string, number>> = {};
  for (const concurrency of [1, 10]) {
    const jobs = concurrency === 1 ? Math.round(JOBS / 4) : JOBS;
    log(`throughput, concurrency ${concurrency}, ${jobs} jobs: vigil`);
    const vigil = await measureVigilThroughput(
      await fresh(),
      jobs,
      concurrency,
    );
    log(`throughput, concurrency ${concurrency}: graphile-worker unbatched`);
    const gw = await measureGraphileThroughput(
      await fresh(),
      jobs,
      concurrency,
      false,
    );
    log(`throughput, concurrency ${concurrency}: graphile-worker batched`);
    const gwb = await measureGraphileThroughput(
      await fresh(),
      jobs,
      concurrency,
      true,
    );
    throughput[`c${concurrency}`] = {
      jobs,
      vigil: round(vigil.jobsPerSecond),
      graphileUnbatched: round(gw.jobsPerSecond),
      graphileBatched: round(gwb.jobsPerSecond),
      ratioVsUnbatched: Number(
        (vigil.jobsPerSecond / gw.jobsPerSecond).toFixed(2),
      ),
      ratioVsBatched: Number(
        (vigil.jobsPerSecond / gwb.jobsPerSecond).toFixed(2),
      ),
    };
  }
  log(
    `start latency: ${LATENCY_TRIGGERS} triggers over ${LATENCY_SPREAD_MS / 1000} s, idle pool`,
  );
  const vl = await measureVigilLatency(
    await fresh(),
    LATENCY_TRIGGERS,
    LATENCY_SPREAD_MS,
  );
  const gl = await measureGraphileLatency(
    await fresh(),
    LATENCY_TRIGGERS,
    LATENCY_SPREAD_MS,
  );
  const lat = (v: number[]) => ({
    p50: round(percentile(v, 50)),
    p95: round(percentile(v, 95)),
    p99: round(percentile(v, 99)),
    max: round(percentile(v, 100)),
  });
  const latency = { vigil: lat(vl), graphile: lat(gl) };
  log("claim cost: one project, then 2,000 more projects with runs only ahead");
  const scaling = await measureClaimScaling(await fresh());
  log(`claim cost with ${DUE_PROJECT_COUNTS.join(" / ")} projects due at once`);
  const claimDueProjects: Record<string, { limit1: number; limit10: number }> =
    {};
  for (const n of DUE_PROJECT_COUNTS) {
    const c = await measureClaimWithDueProjects(await fresh(), n);
    claimDueProjects[n] = { limit1: c.limit1Ms, limit10: c.limit10Ms };
  }
  log(
    `rescue latency after kill -9: ${RESCUE_ROUNDS} rounds, default settings`,
  );
  const rescue = await measureRescueLatency(await fresh(), RESCUE_ROUNDS);
  const sortedNumbers = (v: number[]) => [...v].sort((a, b) => a - b);
  const rescueLat = lat(sortedNumbers(rescue.rescueMs));
  const startLat = lat(sortedNumbers(rescue.startMs));

  console.log(
    "\nDispatch throughput, no-op jobs (jobs/s; every Vigil job = claimed trigger + execution row + finished trigger)",
  );
  console.log(
    "concurrency | jobs   | vigil  | graphile unbatched | graphile batched | vigil/unbatched | vigil/batched",
  );
  for (const [k, t] of Object.entries(throughput)) {
    console.log(
      `${k.slice(1).padEnd(11)} | ${String(t.jobs).padEnd(6)} | ${String(t.vigil).padEnd(6)} | ${String(t.graphileUnbatched).padEnd(18)} | ${String(t.graphileBatched).padEnd(16)} | ${String(t.ratioVsUnbatched).padEnd(15)} | ${t.ratioVsBatched}`,
    );
  }
  console.log(
    `\nStart latency, ${LATENCY_TRIGGERS} jobs spread over ${LATENCY_SPREAD_MS / 1000} s, idle pool (ms)`,
  );
  console.log("system            | p50   | p95   | p99   | max");
  for (const [k, v] of Object.entries(latency)) {
    console.log(
      `${k.padEnd(17)} | ${String(v.p50).padEnd(5)} | ${String(v.p95).padEnd(5)} | ${String(v.p99).padEnd(5)} | ${v.max}`,
    );
  }
  const ms = (v: number) => v.toFixed(2);
  console.log(
    "\nClaim round trip as projects grow (ms; ratio = 2,001 projects / 1 project)",
  );
  console.log("claim             | 1 project | 2,001 projects | ratio");
  const claimScaling = {
    idle: { one: scaling.oneProject.idleMs, many: scaling.manyProjects.idleMs },
    due: { one: scaling.oneProject.dueMs, many: scaling.manyProjects.dueMs },
  };
  for (const [k, v] of Object.entries(claimScaling)) {
    console.log(
      `${(k === "idle" ? "nothing due" : "one due").padEnd(17)} | ${ms(v.one).padEnd(9)} | ${ms(v.many).padEnd(14)} | ${(v.many / v.one).toFixed(2)}`,
    );
  }
  console.log(
    "\nClaim round trip while many projects are due at once (ms; every project keeps due runs)",
  );
  console.log("due projects | claim of 1 | claim of 10");
  for (const [n, v] of Object.entries(claimDueProjects)) {
    console.log(
      `${n.padEnd(12)} | ${ms(v.limit1).padEnd(10)} | ${ms(v.limit10)}`,
    );
  }
  console.log(
    `\nRescue after kill -9 of the run's executor, ${RESCUE_ROUNDS} rounds, default settings (ms; goal p99 <= 2000)`,
  );
  console.log("figure                          | p50   | p95   | p99   | max");
  for (const [k, v] of Object.entries({
    "kill -9 -> started elsewhere": rescueLat,
    "insert -> started (baseline)": startLat,
  })) {
    console.log(
      `${k.padEnd(31)} | ${String(v.p50).padEnd(5)} | ${String(v.p95).padEnd(5)} | ${String(v.p99).padEnd(5)} | ${v.max}`,
    );
  }
  const rescueResult = {
    rounds: RESCUE_ROUNDS,
    rescue: rescueLat,
    start: startLat,
    p99WithinGoal: rescueLat.p99 <= 2000,
    // the lease that governed a crash before worker locks: 30 s by default
    p99ToDefaultLease: Number((rescueLat.p99 / 30_000).toFixed(3)),
  };
  console.log(
    `RESULT ${JSON.stringify({ throughput, latencyMs: latency, claimScalingMs: claimScaling, claimDueProjectsMs: claimDueProjects, rescueMs: rescueResult })}`,
  );
} finally {
  await server.stop();
}
