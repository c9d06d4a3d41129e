/**
 * bench/detector: wall time per execution of a one-rule detector end to end (a real executor
 * process claims the trigger, synthesizes, loads 100 rows, runs the sandboxed detector and
 * records the result), as a ratio to the floor of spawning `node -e 0` measured in the same run
 * (interleaved, sample for sample); cold synthesis versus cache hit; executions/second at
 * concurrency 1 and 2; and the executor's steps timed one by one in this process, to show where
 * the time goes. Prints a table and, last, `RESULT {json}`. See README.md.
 */
import { measureBreakdown } from "./breakdown.js";
import { measureDbSteps } from "./db-steps.js";
import {
  createBenchProject,
  runBatch,
  runOne,
  startExecutorProcess,
  type BatchFigures,
} from "./executor-runs.js";
import { median, percentile, spawnNodeNoop, timeInterleaved } from "./floor.js";
import { startBenchDatabase } from "./postgres.js";

const arg = (name: string, fallback: number) =>
  Number(
    process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ??
      fallback,
  );
const N = arg("executions", 40);
const COLD = arg("cold", 15);
const log = (line: string) => console.error(`[bench/detector] ${line}`);
const MEMORY_MB = 256;

interface Paired {
  floorMs: number;
  medianMs: number;
  p90Ms: number;
}

/** Executions one at a time, each right after a floor sample: the ratio sees the same machine load. */
async function pairedWithFloor(
  next: () => Promise<number>,
  n: number,
): Promise<Paired> {
  const [floor = [], runs = []] = await timeInterleaved(
    [spawnNodeNoop, next],
    n,
  );
  return {
    floorMs: median(floor),
    medianMs: median(runs),
    p90Ms: percentile(runs, 0.9),
  };
}

async function concurrencyOne(url: string) {
  const executor = await startExecutorProcess(url, 1);
  try {
    const project = await createBenchProject(executor.db, {
      maxConcurrency: 1,
    });
    log(`concurrency 1: ${N} warm executions, each after a floor sample`);
    const warm = await pairedWithFloor(() => runOne(executor.db, project), N);
    log(
      `concurrency 1: ${COLD} cold executions (a new hash each), each after a floor sample`,
    );
    let variant = 0;
    const cold = await pairedWithFloor(
      async () =>
        runOne(
          executor.db,
          await createBenchProject(executor.db, {
            maxConcurrency: 1,
            variant: `cold-${++variant}`,
          }),
        ),
      COLD,
    );
    log(`concurrency 1: ${N} executions queued at once (throughput)`);
    const batch = await runBatch(executor.db, [project], N);
    return { warm, cold, batch };
  } finally {
    await executor.stop();
  }
}

async function concurrencyTwo(url: string): Promise<BatchFigures> {
  const executor = await startExecutorProcess(url, 2);
  try {
    const project = await createBenchProject(executor.db, {
      maxConcurrency: 2,
    });
    await runBatch(executor.db, [project], 4); // renders the detector, warms the executor
    log(`concurrency 2: ${N} executions queued at once (throughput)`);
    return await runBatch(executor.db, [project], N);
  } finally {
    await executor.stop();
  }
}

const database = await startBenchDatabase(log);
let steps;
let dbSteps;
let c1;
let c2;
try {
  log("the executor's steps, one by one (interleaved with the floor)");
  steps = await measureBreakdown(20, MEMORY_MB);
  dbSteps = await measureDbSteps(database.url, 20);
  c1 = await concurrencyOne(database.url);
  c2 = await concurrencyTwo(database.url);
} finally {
  await database.stop();
}

const floorMs = c1.warm.floorMs;
const x = (ms: number, floor = floorMs) => (ms / floor).toFixed(2);
const rows: [string, number, string][] = [
  [
    "floor: spawn `node -e 0` (median, interleaved with the warm runs)",
    floorMs,
    "1.00",
  ],
  [
    "END TO END, warm cache, concurrency 1 (median)",
    c1.warm.medianMs,
    x(c1.warm.medianMs),
  ],
  [
    "end to end, warm cache, concurrency 1 (p90)",
    c1.warm.p90Ms,
    x(c1.warm.p90Ms),
  ],
  [
    "end to end, cold synthesis, concurrency 1 (median)",
    c1.cold.medianMs,
    x(c1.cold.medianMs, c1.cold.floorMs),
  ],
  [
    `end to end, warm, concurrency 2, ${N} queued (median)`,
    c2.medianMs,
    x(c2.medianMs),
  ],
  [
    "- step floor: spawn `node -e 0` (interleaved with the steps)",
    steps.floorMs,
    "1.00",
  ],
  [
    "- step: `node -e 0` through the runner's sandbox",
    steps.sandboxedNoopMs,
    x(steps.sandboxedNoopMs, steps.floorMs),
  ],
  [
    "- step: `node main.mjs` by hand (no sandbox, no flags)",
    steps.detectorByHandMs,
    x(steps.detectorByHandMs, steps.floorMs),
  ],
  [
    "- step: sandboxed detector, as the executor runs it",
    steps.spawnDetectorMs,
    x(steps.spawnDetectorMs, steps.floorMs),
  ],
  [
    "- step: claim one trigger (claimDueTriggers)",
    dbSteps.claimMs,
    x(dbSteps.claimMs, steps.floorMs),
  ],
  [
    "- step: read project, rules and dataset",
    dbSteps.loadProjectMs,
    x(dbSteps.loadProjectMs, steps.floorMs),
  ],
  [
    "- step: synthesize, cold (render)",
    steps.synthesizeColdMs,
    x(steps.synthesizeColdMs, steps.floorMs),
  ],
  [
    "- step: synthesize, cache hit",
    steps.synthesizeCachedMs,
    x(steps.synthesizeCachedMs, steps.floorMs),
  ],
  [
    "- step: load 100 rows to rows.ndjson",
    steps.loadRowsMs,
    x(steps.loadRowsMs, steps.floorMs),
  ],
  [
    "- step: verify the signed result",
    steps.verifyMs,
    x(steps.verifyMs, steps.floorMs),
  ],
];
const width = Math.max(...rows.map((r) => r[0].length));
console.log(
  `${"figure".padEnd(width)}  ${"ms".padStart(8)}  ${"x floor".padStart(7)}`,
);
for (const [name, value, ratio] of rows) {
  console.log(
    `${name.padEnd(width)}  ${value.toFixed(1).padStart(8)}  ${ratio.padStart(7)}`,
  );
}
console.log(
  `executions/second (${N} queued at once): concurrency 1 ${c1.batch.perSecond.toFixed(1)}, concurrency 2 ${c2.perSecond.toFixed(1)}; ` +
    `floor: ${(1000 / floorMs).toFixed(1)} sequential spawns/s`,
);

const round = (v: number) => Number(v.toFixed(2));
const warmRatio = round(c1.warm.medianMs / floorMs);
console.log(
  `RESULT ${JSON.stringify({
    bench: "detector",
    floorMs: round(floorMs),
    warm: { c1: c1.warm, ratioToFloor: warmRatio },
    cold: {
      c1: c1.cold,
      ratioToFloor: round(c1.cold.medianMs / c1.cold.floorMs),
    },
    throughput: { c1: c1.batch, c2 },
    executionsPerSecond: {
      c1: round(c1.batch.perSecond),
      c2: round(c2.perSecond),
    },
    steps: { ...steps, ...dbSteps },
    goal: { maxRatioWarm: 1.5, met: warmRatio <= 1.5 },
  })}`,
);
