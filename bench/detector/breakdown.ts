import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmod,
  copyFile,
  mkdir,
  mkdtemp,
  rm,
  writeFile,
} from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { loadRowsToFile } from "@vigil/datasources";
import {
  detectSandboxCapabilities,
  nodePermissionFlags,
  prepareSandboxDir,
  runSandboxed,
  type SandboxCapabilities,
} from "@vigil/runner";
import { createLogger } from "@vigil/logger";
import {
  stageDetectorInSlot,
  synthesizeDetector,
  verifyDetectorResult,
  type RuleSource,
} from "@vigil/synthesizer";

// the executor's slots, from source (the bench runs with tsx)
import { createDetectorSlots } from "../../packages/detector-run/src/detector-slots.js";
import {
  median,
  sandboxedNodeNoop,
  spawnNodeNoop,
  timeInterleaved,
} from "./floor.js";
import { BENCH_ROWS, BENCH_RULE_CODE } from "./workload.js";

export interface Breakdown {
  /** Medians of the interleaved process figures: the floor, and what each layer adds. */
  floorMs: number;
  sandboxedNoopMs: number;
  detectorByHandMs: number;
  synthesizeColdMs: number;
  synthesizeCachedMs: number;
  loadRowsMs: number;
  spawnDetectorMs: number;
  /** The executor's path with a standby: stage the detector and input, dispatch, exit, verify. */
  standbyDispatchMs: number;
  /** The same with bwrap switched off through the capabilities override (the baseline). */
  standbyDispatchWithoutMountMs: number;
  mountNamespaceHeld: boolean;
  verifyMs: number;
}

const rule = (code: string): RuleSource => ({
  ruleId: "paid-matches-total",
  definitionId: null,
  code,
  parameters: { tolerance: 0.5 },
  severity: "high",
  category: "billing",
  description: "paid equals total",
});

/**
 * The steps of the executor's production runner (packages/detector-run/src/run-detector.ts), each timed
 * on its own, in this process, with the same packages and the same sandbox: where an end-to-end
 * execution spends its time besides the database.
 */
export async function measureBreakdown(
  n: number,
  memoryMb: number,
): Promise<Breakdown> {
  const workDir = await mkdtemp(
    path.join(os.tmpdir(), "vigil-bench-detector-steps-"),
  );
  await chmod(workDir, 0o755);
  try {
    let cold = 0;
    const [coldTimes = []] = await timeInterleaved(
      [
        async () => {
          // a new comment in the code is a new hash: a render every time
          await synthesizeDetector({
            workDir,
            projectId: "bench",
            rules: [rule(`${BENCH_RULE_CODE}\n// ${++cold}`)],
            dataSourceType: "manual",
          });
        },
      ],
      n,
    );
    const warm = {
      workDir,
      projectId: "bench",
      rules: [rule(BENCH_RULE_CODE)],
      dataSourceType: "manual" as const,
    };
    const { dir } = await synthesizeDetector(warm);
    const [cachedTimes = []] = await timeInterleaved(
      [async () => void (await synthesizeDetector(warm))],
      n,
    );

    const runDir = path.join(workDir, "bench", "runs", "1");
    await mkdir(runDir, { recursive: true, mode: 0o755 });
    const window = { start: new Date(Date.now() - 3_600_000), end: new Date() };
    await writeFile(
      path.join(runDir, "context.json"),
      JSON.stringify({
        projectId: "bench",
        executionId: "1",
        triggerId: "1",
        attempt: 1,
        scheduledFor: window.end.toISOString(),
        window: {
          start: window.start.toISOString(),
          end: window.end.toISOString(),
        },
      }),
    );
    const [loadTimes = []] = await timeInterleaved(
      [
        async () => {
          const loaded = await loadRowsToFile({
            source: { type: "manual" },
            window,
            secrets: () => undefined,
            outFile: path.join(runDir, "rows.ndjson"),
            projectId: "bench",
            loadLatestDataset: () => Promise.resolve({ rows: BENCH_ROWS }),
            allowPrivateNetworks: false,
          });
          if (!loaded.ok) {
            throw new Error(loaded.message);
          }
        },
      ],
      n,
    );

    const caps = await detectSandboxCapabilities();
    let text = "";
    let nonce = "";
    // by hand: plain `node main.mjs <runDir>`, no sandbox, no permission flags, no nonce
    const byHand = () =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          [path.join(dir, "main.mjs"), runDir],
          {
            cwd: dir,
            stdio: "ignore",
            env: { NODE_ENV: "production", TZ: "UTC" },
          },
        );
        child.once("error", reject);
        child.once("exit", (code) =>
          code === 0
            ? resolve()
            : reject(new Error(`main.mjs by hand exited with ${code}`)),
        );
      });
    const sandboxed = async () => {
      await prepareSandboxDir(runDir, caps);
      nonce = randomBytes(32).toString("hex");
      const res = await runSandboxed({
        command: process.execPath,
        args: [
          ...nodePermissionFlags({ read: [dir, runDir], write: [runDir] }),
          path.join(dir, "main.mjs"),
          runDir,
        ],
        cwd: dir,
        env: { NODE_ENV: "production", TZ: "UTC" },
        input: `${JSON.stringify({ nonce })}\n`,
        timeoutMs: 30_000,
        memoryMb,
        resultChannel: { maxBytes: 32 * 1024 * 1024 },
        sandbox: {
          filesystem: { read: [dir, runDir], write: [runDir] },
          diskMb: 256,
        },
      });
      if (res.exitCode !== 0 || !res.result) {
        throw new Error(`the detector failed: ${res.stderr.head}`);
      }
      text = res.result.text;
    };
    const [floorTimes = [], noopTimes = [], byHandTimes = [], spawnTimes = []] =
      await timeInterleaved(
        [spawnNodeNoop, () => sandboxedNodeNoop(memoryMb), byHand, sandboxed],
        n,
      );
    // the layers of issue 13 (bwrap's mount and pid namespaces) switched off through the
    // capabilities override: the baseline, measured in the same run, alternating with them on
    const withoutMount = {
      ...caps,
      mountNamespace: null,
      tools: { ...caps.tools, bwrap: undefined },
    };
    const standbyTimes: number[] = [];
    const standbyOffTimes: number[] = [];
    for (let round = 0; round < 2; round++) {
      for (const [capabilities, into] of [
        [withoutMount, standbyOffTimes],
        [caps, standbyTimes],
      ] as const) {
        into.push(
          ...(await timeStandbyDispatch({
            workDir,
            detectorDir: dir,
            inputDir: runDir,
            memoryMb,
            n: Math.ceil(n / 2),
            capabilities,
          })),
        );
      }
    }
    const [verifyTimes = []] = await timeInterleaved(
      [
        () => {
          const verified = verifyDetectorResult(text, nonce);
          if (!verified.ok) {
            throw new Error(verified.message);
          }
        },
      ],
      n,
    );
    return {
      floorMs: median(floorTimes),
      sandboxedNoopMs: median(noopTimes),
      detectorByHandMs: median(byHandTimes),
      synthesizeColdMs: median(coldTimes),
      synthesizeCachedMs: median(cachedTimes),
      loadRowsMs: median(loadTimes),
      spawnDetectorMs: median(spawnTimes),
      standbyDispatchMs: median(standbyTimes),
      standbyDispatchWithoutMountMs: median(standbyOffTimes),
      mountNamespaceHeld: caps.mountNamespace !== null,
      verifyMs: median(verifyTimes),
    };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * The executor's own slot code (packages/detector-run/src/detector-slots.ts), timed from "the run's
 * input is known" to "the verified result is in hand", with the slot's standby booted ahead
 * (each round waits, untimed, for the standby the previous round left to boot).
 */
async function timeStandbyDispatch(o: {
  workDir: string;
  detectorDir: string;
  inputDir: string;
  memoryMb: number;
  n: number;
  capabilities: SandboxCapabilities;
}): Promise<number[]> {
  const logger = createLogger({ level: "silent", name: "bench" });
  const slots = createDetectorSlots({
    workDir: o.workDir,
    prestart: true,
    extraRead: [],
    capabilities: o.capabilities,
    logger,
  });
  try {
    // leaves a standby behind in the slot for the first timed round
    const first = await slots.take();
    slots.release(first, o.memoryMb);
    const [times = []] = await timeInterleaved(
      [
        async () => {
          const slot = await slots.take();
          await new Promise((resolve) => setTimeout(resolve, BOOT_WAIT_MS));
          const started = performance.now();
          await Promise.all(
            ["context.json", "rows.ndjson"].map((name) =>
              copyFile(
                path.join(o.inputDir, name),
                path.join(slot.runDir, name),
              ),
            ),
          );
          await stageDetectorInSlot(o.detectorDir, slot.dir);
          const detector = await slot.process(o.memoryMb);
          const nonce = randomBytes(32).toString("hex");
          const res = await detector.dispatch({
            input: `${JSON.stringify({ nonce })}\n`,
            timeoutMs: 30_000,
          });
          const verified = verifyDetectorResult(res.result?.text ?? "", nonce);
          const elapsed = performance.now() - started;
          if (!verified.ok) {
            throw new Error(
              `the standby failed: ${verified.message} ${res.stderr.head}`,
            );
          }
          await rm(slot.runDir, { recursive: true, force: true });
          slots.release(slot, o.memoryMb);
          return elapsed;
        },
      ],
      o.n,
    );
    return times;
  } finally {
    await slots.close();
  }
}

/** Long enough for a sandboxed Node to boot and block on stdin on a loaded 2-core machine. */
const BOOT_WAIT_MS = 250;
