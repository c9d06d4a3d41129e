import { existsSync, readdirSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { ProjectConfigSchema } from "@vigil/contracts";
import { waitFor } from "@vigil/db/testing";
import { createLogger } from "@vigil/logger";
import type { RuleSource } from "@vigil/synthesizer";
import { afterAll, beforeAll, expect, it } from "vitest";

import { createDetectorSlots, type DetectorSlots } from "./detector-slots.js";
import { runDetector } from "./run-detector.js";
import { createSecretStore } from "./secrets.js";

let workDir: string;
let slots: DetectorSlots;
beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), "vigil-stream-rows-"));
  await chmod(workDir, 0o755); // detectors run as other uids
  slots = createDetectorSlots({
    workDir,
    prestart: true,
    extraRead: [],
    logger: createLogger({ level: "silent", name: "test" }),
  });
});
afterAll(async () => {
  await slots.close();
  await rm(workDir, { recursive: true, force: true });
});

const ROWS = Array.from({ length: 2500 }, (_, i) => ({
  id: i + 1,
  total: 10,
  paid: i % 100 === 0 ? 9 : 10,
}));

const rule = (ruleId: string, code: string): RuleSource => ({
  ruleId,
  definitionId: null,
  code,
  parameters: {},
  severity: "high",
  category: "billing",
  description: ruleId,
});

const STREAM_RULE = `export async function detectStream(rows) {
  const out = [];
  let seen = 0;
  for await (const row of rows) {
    seen += 1;
    if (!Object.isFrozen(row)) throw new Error("row " + seen + " is not frozen");
    if (row.paid !== row.total) out.push({ key: String(row.id), message: "seen " + seen });
  }
  out.push({ key: "count", message: String(seen) });
  return out;
}`;

const ARRAY_RULE = `export function detect(rows) {
  return [{ key: "count", message: String(rows.length) + (Object.isFrozen(rows) ? " frozen" : "") }];
}`;

/** The run folder of the slot in use: the detector writes `running-rule` before a rule starts. */
const ruleStarted = () =>
  readdirSync(path.join(workDir, ".slots")).some((slot) =>
    existsSync(path.join(workDir, ".slots", slot, "run", "running-rule")),
  );

async function run(
  rules: RuleSource[],
  loadLatestDataset: () => Promise<{ rows: unknown[] } | null>,
  extra: { timeout_seconds?: number; maxBytes?: number } = {},
) {
  const config = ProjectConfigSchema.parse({
    data_source: { type: "manual" },
    timeout_seconds: extra.timeout_seconds ?? 30,
  });
  return runDetector({
    workDir,
    projectId: "p",
    rules,
    config,
    window: { start: new Date(0), end: new Date() },
    context: {
      projectId: "p",
      executionId: "e1",
      triggerId: "t1",
      attempt: 1,
      scheduledFor: new Date().toISOString(),
    },
    packages: { names: [] },
    slots,
    signal: new AbortController().signal,
    secrets: createSecretStore({ env: {} }),
    allowPrivateNetworks: false,
    ...(extra.maxBytes === undefined
      ? {}
      : { byteLimits: { maxRowBytes: 1024, maxBytes: extra.maxBytes } }),
    loadLatestDataset,
  });
}

it("runs a detectStream rule while the rows are still loading, over every row", async () => {
  const outcome = await run([rule("stream", STREAM_RULE)], async () => {
    // no row is written before the sandboxed detector has started the rule
    await waitFor(ruleStarted, { timeoutMs: 20_000 });
    return { rows: ROWS };
  });
  expect(outcome.kind).toBe("succeeded");
  if (outcome.kind !== "succeeded") {
    return;
  }
  expect(outcome.details.rowCount).toBe(2500);
  const keys = outcome.findings.map((f) => f.key);
  expect(keys).toHaveLength(26);
  expect(keys.slice(0, 2)).toEqual(["1", "101"]);
  expect(outcome.findings.find((f) => f.key === "count")?.message).toBe("2500");
});

it("gives detect the whole frozen array and detectStream the same rows in one run", async () => {
  const outcome = await run(
    [rule("a-array", ARRAY_RULE), rule("b-stream", STREAM_RULE)],
    () => Promise.resolve({ rows: ROWS }),
  );
  expect(outcome.kind).toBe("succeeded");
  if (outcome.kind !== "succeeded") {
    return;
  }
  const count = (ruleId: string) =>
    outcome.findings.find((f) => f.ruleId === ruleId && f.key === "count")
      ?.message;
  expect(count("a-array")).toBe("2500 frozen");
  expect(count("b-stream")).toBe("2500");
});

it("starts the detector's timeout when the load ends, not when the detector starts", async () => {
  const outcome = await run(
    [rule("stream", STREAM_RULE)],
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      return { rows: ROWS };
    },
    { timeout_seconds: 1 },
  );
  expect(outcome.kind).toBe("succeeded");
});

it("fails the run with the load's error and stops the waiting detector when the load fails", async () => {
  const outcome = await run(
    [rule("stream", STREAM_RULE)],
    async () => {
      await waitFor(ruleStarted, { timeoutMs: 20_000 });
      return { rows: ROWS };
    },
    { maxBytes: 4096 },
  );
  expect(outcome.kind).toBe("failed");
  if (outcome.kind !== "failed") {
    return;
  }
  expect(outcome.message).toMatch(/^loading rows failed \(too_many_bytes\)/);
});
