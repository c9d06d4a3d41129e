import { mkdtemp, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { DataSourceSchema } from "@vigil/contracts";
import { describe, expect, it } from "vitest";

import { loadRowsToFile } from "./load-rows.js";

const base = {
  window: { start: new Date(0), end: new Date(1000) },
  secrets: () => undefined,
  projectId: "p",
  allowPrivateNetworks: false,
};

describe("loadRowsToFile with rows given", () => {
  it("writes the given rows through the same writer, keys and limits, and never reads the source", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "vigil-rows-"));
    const outFile = path.join(dir, "rows.ndjson");
    let datasetRead = false;
    const rows = [
      { id: 1, v: "a" },
      { id: 2, v: "b" },
    ];
    const res = await loadRowsToFile({
      ...base,
      // a source that could not load anything: a missing secret
      source: DataSourceSchema.parse({
        type: "sql",
        driver: "postgres",
        url_env: "VIGIL_SECRET_MISSING",
        query: "select 1",
        key: "id",
      }),
      outFile,
      loadLatestDataset: () => {
        datasetRead = true;
        return Promise.resolve(null);
      },
      rows,
    });
    expect(res).toMatchObject({ ok: true, rowCount: 2, rowKeys: ["1", "2"] });
    expect(datasetRead).toBe(false);
    expect(await readFile(outFile, "utf8")).toBe(
      '{"id":1,"v":"a"}\n{"id":2,"v":"b"}\n',
    );

    const tooBig = await loadRowsToFile({
      ...base,
      source: DataSourceSchema.parse({ type: "manual" }),
      outFile,
      loadLatestDataset: () => Promise.resolve(null),
      rows,
      maxBytes: 10,
    });
    expect(tooBig).toMatchObject({ ok: false, code: "too_many_bytes" });
  });
});
