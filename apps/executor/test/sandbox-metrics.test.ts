import { dbTest as test, waitFor } from "@vigil/db/testing";
import { afterAll, describe, expect } from "vitest";

import { runRules, sharedExecutor } from "./fixtures/hostile/harness.js";
import { killStartedExecutors, type ExecutorProcess } from "./helpers.js";

afterAll(killStartedExecutors);

/** The executor's /health, /ready, /metrics address, from its start-up log line. */
async function opsUrl(p: ExecutorProcess): Promise<string> {
  const line = await waitFor(
    () =>
      p.logs
        .map((l) => JSON.parse(l) as { msg?: string; url?: string })
        .find((l) => l.msg === "serving /health, /ready and /metrics"),
    { message: `the ops server of ${p.workerId}` },
  );
  return String(line.url);
}

function sandboxRuns(text: string, layer: string, held: boolean): number {
  const line = text
    .split("\n")
    .find((l) =>
      l.startsWith(
        `vigil_sandbox_runs_total{layer="${layer}",held="${String(held)}"}`,
      ),
    );
  return line === undefined ? 0 : Number(line.split(" ").at(-1));
}

describe("vigil_sandbox_runs_total", () => {
  test("counts each layer of each detector run as the execution's sandbox attestation records it", async ({
    db,
    testDatabase,
  }) => {
    const { executor } = await sharedExecutor(testDatabase.url, {
      METRICS_PORT: "0",
      METRICS_HOST: "127.0.0.1",
    });
    const url = await opsUrl(executor);
    const runs = [];
    for (let i = 0; i < 2; i++) {
      runs.push(await runRules(db, testDatabase.url, [{ ruleId: "honest" }]));
    }
    const attestations = runs.map((run) => run.execution.sandbox);
    expect(attestations.every((a) => a !== null)).toBe(true);
    const layers = Object.keys(attestations[0]!);
    expect(layers).toContain("mount_namespace");
    const text = await (await fetch(`${url}/metrics`)).text();
    for (const layer of layers) {
      const heldRuns = attestations.filter((a) => a![layer] === true).length;
      expect(sandboxRuns(text, layer, true), layer).toBe(heldRuns);
      expect(sandboxRuns(text, layer, false), layer).toBe(
        runs.length - heldRuns,
      );
    }
  });
});
