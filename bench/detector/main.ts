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

/**
 * Between two executions of the paired loops the machine is left idle for this long (untimed),
 * so the standby the executor boots after a run does not compete with the next floor sample or
 * run: the scenario is an idle pool with a trigger coming due. Throughput runs have no pause.
 */
const IDLE_BETWEEN_MS = 400;
const idle = () =>
  new Promise((resolve) => setTimeout(resolve, IDLE_BETWEEN_MS));

/** Executions one at a time, each right after a floor sample: the ratio sees the same machine load. */
async function pairedWithFloor(
  next: () => Promise<number>,
  n: number,
): Promise<Paired> {
  const [floor = [], runs = []] = await timeInterleaved(
    [
      spawnNodeNoop,
      async () => {
        const ms = await next();
        await idle();
        return ms;
      },
    ],
    n,
  );
  return {
    floorMs: median(floor),
    medianMs: median(runs),
    p90Ms: percentile(runs, 0.9),
  };
}

async function concurrencyOne(url: string, prestart: boolean) {
  const executor = await startExecutorProcess(url, 1, { prestart });
  const mode = prestart ? "standby" : "cold start";
  try {
    const project = await createBenchProject(executor.db, {
      maxConcurrency: 1,
    });
    log(
      `concurrency 1, ${mode}: ${N} warm executions, each after a floor sample`,
    );
    const warm = await pairedWithFloor(() => runOne(executor.db, project), N);
    log(
      `concurrency 1, ${mode}: ${COLD} cold executions (a new hash each), each after a floor sample`,
    );
    let variant = 0;
    const cold = await pairedWithFloor(
      async () =>
        runOne(
          executor.db,
          await createBenchProject(executor.db, {
            maxConcurrency: 1,
            variant: `cold-${prestart}-${++variant}`,
          }),
        ),
      COLD,
    );
    log(`concurrency 1, ${mode}: ${N} executions queued at once (throughput)`);
    const batch = await runBatch(executor.db, [project], N);
    return { warm, cold, batch };
  } finally {
    await executor.stop();
  }
}

async function concurrencyTwo(
  url: string,
  prestart: boolean,
): Promise<BatchFigures> {
  const executor = await startExecutorProcess(url, 2, { prestart });
  try {
    const project = await createBenchProject(executor.db, {
      maxConcurrency: 2,
    });
    await runBatch(executor.db, [project], 4); // renders the detector, warms the executor
    log(
      `concurrency 2, ${prestart ? "standby" : "cold start"}: ${N} executions queued at once (throughput)`,
    );
    return await runBatch(executor.db, [project], N);
  } finally {
    await executor.stop();
  }
}

const database = await startBenchDatabase(log);
let steps;
let dbSteps;
let c1;
let c1Cold;
let c2;
let c2Cold;
try {
  log("the executor's steps, one by one (interleaved with the floor)");
  steps = await measureBreakdown(20, MEMORY_MB);
  dbSteps = await measureDbSteps(database.url, 20);
  c1 = await concurrencyOne(database.url, true);
  c1Cold = await concurrencyOne(database.url, false);
  c2 = await concurrencyTwo(database.url, true);
  c2Cold = await concurrencyTwo(database.url, false);
} finally {
  await database.stop();
}

const floorMs = c1.warm.floorMs;
/** A table row: name, milliseconds, and the floor measured beside it (the ratio's denominator). */
type Row = [string, number, number];
const endToEnd: Row[] = [
  [
    "floor: spawn `node -e 0` (median, interleaved with the warm runs)",
    floorMs,
    floorMs,
  ],
  ["END TO END, warm cache, concurrency 1 (median)", c1.warm.medianMs, floorMs],
  ["end to end, warm cache, concurrency 1 (p90)", c1.warm.p90Ms, floorMs],
  [
    "end to end, cold synthesis, concurrency 1 (median)",
    c1.cold.medianMs,
    c1.cold.floorMs,
  ],
  [
    "end to end, warm cache, DETECTOR_PRESTART=false (median)",
    c1Cold.warm.medianMs,
    c1Cold.warm.floorMs,
  ],
  [
    "end to end, cold synthesis, DETECTOR_PRESTART=false (median)",
    c1Cold.cold.medianMs,
    c1Cold.cold.floorMs,
  ],
  [
    `end to end, warm, concurrency 2, ${N} queued (median)`,
    c2.medianMs,
    floorMs,
  ],
];
// every step against the floor samples interleaved with the steps
const stepRows: [string, number][] = [
  [
    "- step floor: spawn `node -e 0` (interleaved with the steps)",
    steps.floorMs,
  ],
  ["- step: `node -e 0` through the runner's sandbox", steps.sandboxedNoopMs],
  [
    "- step: `node main.mjs` by hand (no sandbox, no flags)",
    steps.detectorByHandMs,
  ],
  [
    "- step: sandboxed detector, as the executor runs it",
    steps.spawnDetectorMs,
  ],
  [
    "- step: standby booted ahead, without bwrap (capabilities override)",
    steps.standbyDispatchWithoutMountMs,
  ],
  [
    "- step: standby booted ahead: stage, dispatch, exit, verify",
    steps.standbyDispatchMs,
  ],
  ["- step: claim one trigger (claimDueTriggers)", dbSteps.claimMs],
  ["- step: read project, rules and dataset", dbSteps.loadProjectMs],
  ["- step: synthesize, cold (render)", steps.synthesizeColdMs],
  ["- step: synthesize, cache hit", steps.synthesizeCachedMs],
  ["- step: load 100 rows to rows.ndjson", steps.loadRowsMs],
  ["- step: verify the signed result", steps.verifyMs],
];
const rows: Row[] = [
  ...endToEnd,
  ...stepRows.map(([name, ms]): Row => [name, ms, steps.floorMs]),
];
const width = Math.max(...rows.map((r) => r[0].length));
console.log(
  `${"figure".padEnd(width)}  ${"ms".padStart(8)}  ${"x floor".padStart(7)}`,
);
for (const [name, value, floor] of rows) {
  const ratio = (value / floor).toFixed(2);
  console.log(
    `${name.padEnd(width)}  ${value.toFixed(1).padStart(8)}  ${ratio.padStart(7)}`,
  );
}
console.log(
  `executions/second (${N} queued at once): concurrency 1 ${c1.batch.perSecond.toFixed(1)}, concurrency 2 ${c2.perSecond.toFixed(1)}; ` +
    `DETECTOR_PRESTART=false: ${c1Cold.batch.perSecond.toFixed(1)} and ${c2Cold.perSecond.toFixed(1)}; ` +
    `floor: ${(1000 / floorMs).toFixed(1)} sequential spawns/s`,
);

const round = (v: number) => Number(v.toFixed(2));
const warmRatio = round(c1.warm.medianMs / floorMs);
// issue 13's budget: the new layers may cost at most 1.2x. The warm run's critical path is the
// standby dispatch; with and without bwrap measured alternately in this run.
const layersRatio = round(
  steps.standbyDispatchMs / steps.standbyDispatchWithoutMountMs,
);
console.log(
  `sandbox layers (bwrap mount + pid namespace): standby dispatch ${steps.standbyDispatchWithoutMountMs.toFixed(1)} ms without, ${steps.standbyDispatchMs.toFixed(1)} ms with (x${layersRatio}; budget 1.2; held here: ${steps.mountNamespaceHeld})`,
);
console.log(
  `RESULT ${JSON.stringify({
    bench: "detector",
    floorMs: round(floorMs),
    sandboxLayers: {
      mountNamespaceHeld: steps.mountNamespaceHeld,
      standbyWithoutMs: round(steps.standbyDispatchWithoutMountMs),
      standbyWithMs: round(steps.standbyDispatchMs),
      ratio: layersRatio,
      withinBudget: layersRatio <= 1.2,
    },
    warm: { c1: c1.warm, ratioToFloor: warmRatio },
    cold: {
      c1: c1.cold,
      ratioToFloor: round(c1.cold.medianMs / c1.cold.floorMs),
    },
    withoutPrestart: {
      warm: {
        c1: c1Cold.warm,
        ratioToFloor: round(c1Cold.warm.medianMs / c1Cold.warm.floorMs),
      },
      cold: {
        c1: c1Cold.cold,
        ratioToFloor: round(c1Cold.cold.medianMs / c1Cold.cold.floorMs),
      },
      executionsPerSecond: {
        c1: round(c1Cold.batch.perSecond),
        c2: round(c2Cold.perSecond),
      },
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
