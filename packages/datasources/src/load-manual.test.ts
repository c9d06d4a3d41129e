import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { loadRowsToFile } from "./load-rows.js";

const outDir = await mkdtemp(path.join(tmpdir(), "vigil-ds-test-"));
afterAll(() => rm(outDir, { recursive: true, force: true }));

const base = {
  source: { type: "manual" } as const,
  window: {
    start: new Date("2026-11-22T10:00:00Z"),
    end: new Date("2026-11-22T11:00:00Z"),
  },
  secrets: () => undefined,
  projectId: "orders",
  allowPrivateNetworks: false,
};
const outFile = (name: string) => path.join(outDir, `${name}.ndjson`);

describe("manual data source", () => {
  it("writes the latest uploaded dataset of the project as NDJSON", async () => {
    const file = outFile("ok");
    const rows = Array.from({ length: 2500 }, (_, i) => ({
      id: i,
      when: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
    }));
    const asked: string[] = [];
    const result = await loadRowsToFile({
      ...base,
      outFile: file,
      loadLatestDataset: (id) => (asked.push(id), Promise.resolve({ rows })),
    });
    expect(result).toMatchObject({ ok: true, rowCount: 2500 });
    expect(asked).toEqual(["orders"]);
    const lines = (await readFile(file, "utf8")).trim().split("\n");
    expect(lines).toHaveLength(2500);
    expect(JSON.parse(lines[1] ?? "")).toEqual({
      id: 1,
      when: "2026-01-01T00:00:01.000Z",
    });
  });

  it("says how to upload a dataset when there is none", async () => {
    const result = await loadRowsToFile({
      ...base,
      outFile: outFile("none"),
      loadLatestDataset: () => Promise.resolve(null),
    });
    expect(result).toEqual({
      ok: false,
      code: "config",
      message:
        "project orders uses a manual data source but no dataset has been uploaded; upload one with POST /projects/orders/data",
    });
  });

  it("refuses a dataset whose rows are not objects", async () => {
    const result = await loadRowsToFile({
      ...base,
      outFile: outFile("bad"),
      loadLatestDataset: () => Promise.resolve({ rows: [{ a: 1 }, [1, 2]] }),
    });
    expect(result).toMatchObject({
      ok: false,
      code: "bad_response",
      message: expect.stringMatching(/row 1/) as unknown,
    });
  });

  it("returns cancelled without loading anything when the signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await loadRowsToFile({
      ...base,
      outFile: outFile("abort"),
      signal: controller.signal,
      loadLatestDataset: () => Promise.reject(new Error("not called")),
    });
    expect(result).toMatchObject({ ok: false, code: "cancelled" });
  });
});
